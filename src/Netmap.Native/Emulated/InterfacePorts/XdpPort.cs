using System.Runtime.CompilerServices;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Netmap.Native.Abi;
using Netmap.Native.Interop;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace Netmap.Native.Emulated;

/// <summary>
/// A Linux interface served in user space: the netmap layout lives in this process's memory, and
/// its buffer pool is the UMEM of one AF_XDP socket per held queue, laid out so that each netmap
/// buffer is where the kernel writes a frame into its chunk (<see cref="XdpHeadroom"/> bytes in).
/// Neither direction copies: rxsync puts the chunk that holds a received frame into the RX slot
/// (NS_BUF_CHANGED) and gives the slot's previous buffer to the fill ring; txsync hands the TX slots'
/// own buffers to the socket and frees a slot when the kernel completes it.
/// </summary>
internal sealed unsafe class XdpPort : RingSyncDriver
{
    private const uint Slots = 4096, ChunkSize = NetmapAbi.DefaultBufferSize;

    /// <summary>
    /// Fill buffers per RX queue (and the size of the socket's rings): what a flood can put in before the
    /// reader runs, in frames. TPACKET_V3's 2 MiB (tcpdump's default) holds some 20,000 frames of 60 B;
    /// 16,384 chunks are 32 MiB per queue, fewer per queue on NICs with many (32,768 in all, 4,096 at least).
    /// </summary>
    private static uint FillBuffersPerQueue(NetInterface nic) => Math.Clamp(32768 / RoundUpToPowerOfTwo(nic.RxQueues), 4096, 16384);
    private static uint RoundUpToPowerOfTwo(uint n) => n <= 1 ? 1 : 1u << (32 - System.Numerics.BitOperations.LeadingZeroCount(n - 1));
    private readonly uint _fillBuffers;

    /// <summary>
    /// XDP_PACKET_HEADROOM: the kernel writes a received frame this far into its UMEM chunk (the UMEM's
    /// own headroom is 0). The UMEM starts this far before the buffer pool, so chunk k holds buffer k.
    /// </summary>
    private const uint XdpHeadroom = 256;

    /// <summary>The longest frame a chunk holds past the headroom.</summary>
    private const uint ChunkFrame = ChunkSize - XdpHeadroom;

    /// <summary>How long to let received frames gather before a sync (see <see cref="RxCoalescing"/>).</summary>
    private readonly RxCoalescing _coalescing = new();
    private long _socketFrames;

    private readonly NetInterface _nic;
    private readonly PrivateRegion _region;
    private readonly XdpSteering? _steering;
    private readonly HostSteering? _host;
    private readonly bool _hostRx, _hostTx;
    private readonly byte[] _hostScratch = Array.Empty<byte>();
    private long _hostOversize;
    private readonly XskSocket?[] _sockets;
    private readonly uint[] _inFlight;
    private readonly LibC.PollFd[] _rxPoll, _txPoll;
    private readonly List<NetmapWarning> _warnings = new();
    private long _txErrors;

    public XdpPort(NetInterface nic, RingSpan tx, RingSpan rx, string name, bool disableOffloads)
        : this(new PrivateRegion(new RegionGeometry(RegionKind.Interface, 1, nic.TxQueues + 1, nic.RxQueues + 1, Slots, ChunkSize,
            HostRings: 1, ExtraBuffers: FillBuffersPerQueue(nic) * nic.RxQueues, BufferLead: XdpHeadroom), MemoryIdFor(nic.Name), nic.Name), nic, tx, rx, name, disableOffloads)
    {
    }

    private XdpPort(PrivateRegion region, NetInterface nic, RingSpan tx, RingSpan rx, string name, bool disableOffloads)
        : base(name, tx, rx, region.Layout)
    {
        _region = region;
        _nic = nic;
        _fillBuffers = FillBuffersPerQueue(nic);
        _sockets = new XskSocket?[Math.Max(nic.TxQueues, nic.RxQueues)];
        _inFlight = new uint[nic.TxQueues];
        _hostRx = rx.Contains(nic.RxQueues);
        _hostTx = tx.Contains(nic.TxQueues);
        try
        {
            _steering = RxQueues().Any() ? XdpSteering.Acquire(nic.Name, nic.Index) : null;
            if (_hostRx || _hostTx)
            {
                if (_steering?.Mode == "generic")
                    throw new NetmapException(NetmapError.NotSupported,
                        $"'{name}': {nic.Name} only takes XDP in generic mode, where frames injected from the host TX ring would loop back into the NIC RX rings. Open the NIC rings ('netmap:{nic.Name}') and the host rings ('netmap:{nic.Name}^') as two ports, or use a driver with native XDP.");
                _host = HostSteering.Attach(nic);
                _hostScratch = new byte[65536];
            }
            OpenSockets();
        }
        catch
        {
            Dispose();
            throw;
        }
        _rxPoll = RxQueues().Select(q => _sockets[q]!.Fd).Concat(_hostRx ? new[] { _host!.Tap.Fd } : Array.Empty<int>())
            .Select(fd => new LibC.PollFd { Fd = fd, Events = LibC.POLLIN }).ToArray();
        _txPoll = TxQueues().Select(q => new LibC.PollFd { Fd = _sockets[q]!.Fd, Events = LibC.POLLOUT }).ToArray();
        DescribeMechanism();
        try
        {
            CheckOffloads(disableOffloads);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The record of the offloads turned off while this port is open (-DisableOffloads).</summary>
    private OffloadGuard? _offloads;

    /// <summary>
    /// GRO, TSO, GSO and checksum offloads make frames larger than a slot and leave partial checksums
    /// in captures: say so, or turn them off for as long as the port is open. Offloads that a killed
    /// port left off are turned back on first.
    /// </summary>
    private void CheckOffloads(bool disable)
    {
        var restored = OffloadGuard.ReclaimStale(_nic);
        if (restored.Count > 0)
            _warnings.Add($"Offloads {string.Join(", ", restored)} of {_nic.Name} were left off by a port whose process was killed; they are back on.");
        if (disable)
        {
            _offloads = OffloadGuard.TurnOff(_nic, out var off, out var refused);
            if (off.Count > 0) _warnings.Add($"Offloads {string.Join(", ", off)} of {_nic.Name} are off while this port is open; closing it (or the next open, if its process is killed) turns them back on.");
            if (refused.Count > 0) _warnings.Add($"Could not turn off {string.Join(", ", refused)} on {_nic.Name}: the driver refused.");
            return;
        }
        var on = Ethtool.Read(_nic.Name).Where(o => o.Value).Select(o => o.Key).ToList();
        if (on.Count == 0) return;
        string command = $"ethtool -K {_nic.Name} {string.Join(" ", on.Select(o => o + " off"))}";
        _warnings.Add(new($"{_nic.Name} has offloads on ({string.Join(", ", on)}): captured frames can be larger than a slot and carry partial checksums. Turn them off with '{command}', or let the port turn them off while it is open.", NetmapRemedy.DisableOffloads, Name));
    }

    private string _mechanism = "";
    public override string Mechanism => _mechanism;
    public override string Region => $"{_region.Description} (AF_XDP UMEM)";
    public override IReadOnlyList<NetmapWarning> Warnings => _warnings;
    /// <summary>An Ethernet header at least; on the wire at most the MTU plus header and one VLAN tag.</summary>
    public override (int Shortest, int Longest) FrameLimits(uint ring) => (EthernetHeader, ring < _nic.TxQueues ? MaxWireFrame : int.MaxValue);
    private const int EthernetHeader = 14;
    /// <summary>The MTU plus header and one VLAN tag, and no more than a UMEM chunk holds.</summary>
    private int MaxWireFrame => (int)Math.Min(_nic.Mtu + 18, ChunkFrame);

    /// <summary>Packets the kernel dropped: no room in the socket's RX ring, or frames larger than a buffer.</summary>
    public override long TransmitErrors => _txErrors;
    public override long Dropped
    {
        get
        {
            long dropped = _hostOversize;
            foreach (var s in _sockets)
                if (s is not null) { var st = s.Statistics(); dropped += (long)(st.RxDropped + st.RxRingFull); }
            return dropped;
        }
    }

    protected override byte* Base => _region.Base;
    private byte* Pool => Base + Layout.BuffersOffset;
    /// <summary>The UMEM: page-aligned, <see cref="XdpHeadroom"/> bytes before the pool, one chunk per buffer.</summary>
    private byte* Umem => Pool - XdpHeadroom;
    private uint Buffers => Layout.Geometry.BufferCount;

    private IEnumerable<uint> RxQueues() => Enumerable.Range((int)RxRings.First, (int)RxRings.Count).Select(i => (uint)i).Where(q => q < _nic.RxQueues);
    private IEnumerable<uint> TxQueues() => Enumerable.Range((int)TxRings.First, (int)TxRings.Count).Select(i => (uint)i).Where(q => q < _nic.TxQueues);

    private void OpenSockets()
    {
        foreach (uint q in RxQueues().Union(TxQueues()).Order())
            _sockets[q] = XskSocket.Open(_nic.Name, _nic.Index, q, Umem, (ulong)Buffers * ChunkSize, ChunkSize, _fillBuffers);
        foreach (uint q in RxQueues())
        {
            var fill = _sockets[q]!.Fill;
            uint first = Layout.Geometry.FirstExtraBuffer + q * _fillBuffers; // chunk k is buffer k
            for (uint i = 0; i < _fillBuffers; i++) ((ulong*)fill.Descriptors)[i & fill.Mask] = (ulong)(first + i) * ChunkSize;
            Volatile.Write(ref *fill.Producer, _fillBuffers);
            _steering!.Steer(q, _sockets[q]!.Fd);
        }
    }

    private void DescribeMechanism()
    {
        bool zeroCopy = _sockets.Any(s => s is { ZeroCopy: true });
        _mechanism = !_sockets.Any(s => s is not null) ? $"host rings only, on {_nic.Name}"
            : $"AF_XDP {(_steering?.Mode ?? "transmit-only")} XDP, {(zeroCopy ? "zero-copy" : "copy")} mode, on {_nic.Name} ({_nic.RxQueues} RX / {_nic.TxQueues} TX queues)";
        _warnings.AddRange(InterfaceAdvice.ForTakenQueues(_nic, RxQueues().ToList()).Select(advice => (NetmapWarning)advice));
        if (_hostRx)
            _warnings.Add($"What the host stack transmits on {_nic.Name} goes to the host RX ring of this port, not to the wire, while it is open.");
        if (_host is not null)
            _mechanism += $"; host rings through TAP {_host.Tap.Name} and tcx";
        if (_steering?.Mode == "generic")
            _warnings.Add($"XDP runs in generic (SKB) mode on {_nic.Name}: slower than native, and some drivers (veth among them) put every packet on queue 0.");
    }

    /// <summary>NIC rings from the queue's socket, the host ring from the TAP, into [hwtail, hwcur - 1).</summary>
    protected override uint Receive(uint ring, RingView view, KringState* kring, uint hwcur, uint hwtail) =>
        kring->HwTail = ring < _nic.RxQueues ? ReceiveFromSocket(_sockets[ring]!, view, hwcur, hwtail) : ReceiveFromTap(view, hwcur, hwtail);

    /// <summary>
    /// Moves frames from the socket's RX ring into [hwtail, hwcur - 1): the chunk that holds a frame becomes the
    /// slot's buffer and the slot's previous buffer (free: the user released it) goes to the fill ring. A frame
    /// the kernel put anywhere but a buffer's start (another headroom) is copied instead.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a receive path: optimized from its first frame (see RingSyncDriver.RxSync)
    private uint ReceiveFromSocket(XskSocket socket, RingView ring, uint hwcur, uint hwtail)
    {
        var rx = socket.Rx;
        var fill = socket.Fill;
        uint consumer = *rx.Consumer;
        uint available = Volatile.Read(ref *rx.Producer) - consumer;
        uint room = RingMath.Distance(hwtail, RingMath.Previous(hwcur, ring.Slots), ring.Slots);
        uint n = Math.Min(available, room);
        if (n == 0) return hwtail;
        uint fillProducer = *fill.Producer;
        for (uint i = 0; i < n; i++)
        {
            var desc = (XdpDescriptor*)rx.Descriptors + ((consumer + i) & rx.Mask);
            var slot = ring.Slot(hwtail);
            ulong address = desc->Address, chunk = address / ChunkSize;
            uint length = Math.Min(desc->Length, ChunkFrame); // a chunk holds no more past the headroom
            if (address % ChunkSize == XdpHeadroom && chunk < Buffers && chunk >= 2)
            {
                ((ulong*)fill.Descriptors)[(fillProducer + i) & fill.Mask] = (ulong)slot->BufferIndex * ChunkSize;
                slot->BufferIndex = (uint)chunk;
                slot->Flags = SlotFlags.BufferChanged;
            }
            else
            {
                length = chunk < Buffers ? Math.Min(length, (uint)(ChunkSize - address % ChunkSize)) : 0; // the kernel only returns chunks it was given
                Buffer.MemoryCopy(Umem + address, ring.Buffer(slot->BufferIndex), ring.BufferSize, length);
                ((ulong*)fill.Descriptors)[(fillProducer + i) & fill.Mask] = chunk * ChunkSize;
                slot->Flags = SlotFlags.None;
            }
            slot->Length = (ushort)length;
            hwtail = RingMath.Next(hwtail, ring.Slots);
        }
        Volatile.Write(ref *fill.Producer, fillProducer + n);
        _socketFrames += n;
        Volatile.Write(ref *rx.Consumer, consumer + n);
        if (fill.NeedsWakeup) socket.KickFill();
        return hwtail;
    }

    /// <summary>
    /// NIC rings: the slots' own buffers go to the socket and stay taken until the kernel completes
    /// them. Host ring: each frame is written to the TAP at once.
    /// </summary>
    protected override (uint HwCur, uint HwTail) Transmit(uint ring, RingView view, uint hwcur, uint hwtail, uint head)
    {
        if (ring >= _nic.TxQueues)
        {
            hwcur = TransmitToTap(view, hwcur, head);
            return (hwcur, RingMath.Previous(hwcur, view.Slots));
        }
        var socket = _sockets[ring]!;
        hwcur = TransmitToSocket(socket, view, hwcur, head, ref _inFlight[ring]);
        Reclaim(socket, ref _inFlight[ring]);
        return (hwcur, RingMath.Advance(hwcur, view.Slots - 1 - _inFlight[ring], view.Slots));
    }

    /// <summary>Host RX ring: what the stack transmitted, read from the TAP into [hwtail, hwcur - 1).</summary>
    private uint ReceiveFromTap(RingView ring, uint hwcur, uint hwtail)
    {
        uint room = RingMath.Distance(hwtail, RingMath.Previous(hwcur, ring.Slots), ring.Slots);
        fixed (byte* scratch = _hostScratch)
        {
            for (; room > 0; room--)
            {
                nint n = LibC.Read(_host!.Tap.Fd, scratch, (nuint)_hostScratch.Length);
                if (n <= 0) break;
                if (n > ring.BufferSize)
                {
                    _hostOversize++; // a frame larger than a buffer is counted, never cut
                    room++;
                    continue;
                }
                var slot = ring.Slot(hwtail);
                Buffer.MemoryCopy(scratch, ring.Buffer(slot->BufferIndex), ring.BufferSize, n);
                slot->Length = (ushort)n;
                slot->Flags = SlotFlags.None;
                hwtail = RingMath.Next(hwtail, ring.Slots);
            }
        }
        return hwtail;
    }

    /// <summary>Host TX ring: each slot written to the TAP enters the host stack as if received on the interface.</summary>
    private uint TransmitToTap(RingView ring, uint hwcur, uint head)
    {
        for (; hwcur != head; hwcur = RingMath.Next(hwcur, ring.Slots))
        {
            var slot = ring.Slot(hwcur);
            if (slot->Length < EthernetHeader || slot->Length > ring.BufferSize || !RingChecks.IsRegionBuffer(slot->BufferIndex, Buffers))
            {
                _txErrors++;
                continue;
            }
            byte* frame = ring.Buffer(slot->BufferIndex);
            PartialChecksum.Complete(frame, slot->Length);   // the stack drops what a peer's checksum offload left partial
            if (LibC.Write(_host!.Tap.Fd, frame, slot->Length) < 0
                && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == LibC.EAGAIN)
                break; // the TAP is full: the rest stays pending
        }
        return hwcur;
    }

    /// <summary>Puts slots [hwcur, head) on the socket's TX ring, pointing at the slots' own buffers, and kicks.</summary>
    private uint TransmitToSocket(XskSocket socket, RingView ring, uint hwcur, uint head, ref uint inFlight)
    {
        var tx = socket.Tx;
        uint producer = *tx.Producer;
        uint room = tx.Size - (producer - Volatile.Read(ref *tx.Consumer));
        uint maxFrame = (uint)MaxWireFrame, buffers = Buffers;
        for (; hwcur != head && room > 0; hwcur = RingMath.Next(hwcur, ring.Slots))
        {
            var slot = ring.Slot(hwcur);
            if (slot->Length < EthernetHeader || slot->Length > maxFrame || !RingChecks.IsRegionBuffer(slot->BufferIndex, buffers))
            {
                _txErrors++;
                continue;
            }
            PartialChecksum.Complete(ring.Buffer(slot->BufferIndex), slot->Length);   // as the kernel would for a device without offload
            var desc = (XdpDescriptor*)tx.Descriptors + (producer & tx.Mask);
            desc->Address = (ulong)slot->BufferIndex * ChunkSize + XdpHeadroom;
            desc->Length = slot->Length;
            desc->Options = 0;
            producer++;
            room--;
            inFlight++;
        }
        Volatile.Write(ref *tx.Producer, producer);
        if (producer != Volatile.Read(ref *tx.Consumer) && (!socket.ZeroCopy || tx.NeedsWakeup)) socket.KickTx();
        return hwcur;
    }

    /// <summary>Counts the frames the kernel finished sending; their slots become free in order.</summary>
    private static void Reclaim(XskSocket socket, ref uint inFlight)
    {
        var completion = socket.Completion;
        uint producer = Volatile.Read(ref *completion.Producer);
        uint done = producer - *completion.Consumer;
        Volatile.Write(ref *completion.Consumer, producer);
        inFlight -= Math.Min(done, inFlight);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per batch of a flood: optimized from the first call (perf saw it at tier 0)
    public override bool Wait(WaitDirection direction, int timeoutMs, CancellationToken cancel)
    {
        ThrowIfClosed();
        bool receive = direction == WaitDirection.Receive;
        var rings = receive ? RxRings : TxRings;
        if (Layout.AnyPastCur(Base, 0, rings, !receive)) return true; // frames (or room) already there
        var fds = receive ? _rxPoll : _txPoll;
        long deadline = Deadline.AfterMs(timeoutMs);
        bool gathered = false;
        while (true)
        {
            long batch = receive ? CountedRxSync() : TxSyncMoved();
            if (Layout.AnyPastCur(Base, 0, rings, !receive))
            {
                if (!receive || gathered || batch >= RxCoalescing.BatchTarget / 2 || !_coalescing.Flooding) return true;
                LibC.USleep(_coalescing.Microseconds); // under load: let a small batch grow, one sleep per batch
                gathered = true;
                continue;
            }
            long left = deadline - Environment.TickCount64;
            if (left <= 0 || cancel.IsCancellationRequested || fds.Length == 0) return false;
            if (receive && _coalescing.Flooding)
            {
                LibC.USleep((uint)Math.Min(_coalescing.Microseconds, left * 1000)); // more is on its way: no poll
                gathered = true;
                continue;
            }
            int ready;
            fixed (LibC.PollFd* p = fds)
                ready = LibC.Poll(p, (nuint)fds.Length, (int)Math.Min(left, receive ? 100 : 1));
            if (receive && ready > 0)
            {
                LibC.USleep(_coalescing.Microseconds);
                gathered = true;
            }
        }
    }

    /// <summary>An rxsync; returns the frames it took from the sockets, counted for the coalescing.</summary>
    private long CountedRxSync()
    {
        long before = _socketFrames;
        RxSync();
        long batch = _socketFrames - before;
        _coalescing.Count(batch, Stopwatch.GetTimestamp());
        return batch;
    }

    private long TxSyncMoved()
    {
        TxSync();
        return 0;
    }

    protected override void Release()
    {
        foreach (uint q in RxQueues())
            if (_sockets[q] is not null) _steering?.Release(q);
        foreach (var socket in _sockets) socket?.Dispose();
        _steering?.Dispose();
        _host?.Dispose();
        _offloads?.Dispose();
        _region.Dispose();
    }

    private static int _nextMemoryId;
    private static ushort MemoryIdFor(string ifname) => (ushort)(2000 + (Environment.ProcessId * 31 + Interlocked.Increment(ref _nextMemoryId)) % 60000);
}

/// <summary>struct xdp_desc: one frame in an AF_XDP RX or TX ring.</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal struct XdpDescriptor
{
    public ulong Address;
    public uint Length;
    public uint Options;
}
