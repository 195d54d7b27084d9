using Netmap.Native.Abi;
using Netmap.Native.Interop;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace Netmap.Native.Emulated;

/// <summary>
/// A monitor of an interface (/r, /t, /z): copies of the frames it receives and/or transmits, read
/// from AF_PACKET TPACKET_V3 rings, without taking anything away from the host stack. One socket per
/// queue, all in one fanout group in queue-mapping mode, so RX ring N of the port sees queue N.
/// </summary>
internal sealed unsafe class PacketMonitorPort : IPortDriver
{
    private const uint Slots = 1024;
    private readonly NetInterface _nic;
    private readonly RegionLayout _layout;
    private readonly nint _memory;
    private readonly PacketRingSocket?[] _sockets;
    private readonly bool _incoming, _outgoing;
    private readonly LibC.PollFd[] _poll;
    private readonly FrameSink _sink;
    private RingView _fillRing;
    private uint _fillTail;
    private long _oversize;
    private bool _disposed;

    public PacketMonitorPort(NetInterface nic, RingSpan rx, bool incoming, bool outgoing, string name, string why)
    {
        _nic = nic;
        Name = name;
        RxRings = rx;
        _incoming = incoming;
        _outgoing = outgoing;
        _layout = new RegionLayout(new RegionGeometry(RegionKind.Interface, 1, nic.TxQueues + 1, nic.RxQueues + 1, Slots,
            NetmapAbi.DefaultBufferSize, HostRings: 1));
        _memory = LibC.MMap(0, (nuint)_layout.TotalSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        if (_memory == -1) throw Errors.FromErrno("mmap", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        _layout.Initialise((byte*)_memory, (ushort)(3000 + Environment.ProcessId % 60000));
        _sockets = new PacketRingSocket?[nic.RxQueues];
        _sink = Take;
        try
        {
            // Every queue joins the group, in order, so that the kernel's queue mapping picks the right member.
            ushort group = (ushort)Random.Shared.Next(1, 65535);
            for (uint q = 0; q < nic.RxQueues; q++)
                _sockets[q] = PacketRingSocket.Open(nic.Name, nic.Index, group, ignoreOutgoing: !outgoing);
        }
        catch
        {
            Dispose();
            throw;
        }
        _poll = Enumerable.Range((int)rx.First, (int)rx.Count).Select(q => new LibC.PollFd { Fd = _sockets[q]!.Fd, Events = LibC.POLLIN }).ToArray();
        Mechanism = $"AF_PACKET TPACKET_V3 monitor of {(incoming && outgoing ? "RX and TX" : incoming ? "RX" : "TX")} traffic on {nic.Name}, fanout by queue{why}";
    }

    public string Name { get; }
    public NetmapInterface* Interface => _layout.Interface((byte*)_memory, 0);
    public PortMode Mode => PortMode.Emulated;
    public string Mechanism { get; }
    public ushort MemoryId => RegionLayout.Header((byte*)_memory)->MemoryId;
    public string Region => $"private memory of process {Environment.ProcessId}";
    public long RegionSize => _layout.TotalSize;
    public byte* MemoryStart => (byte*)_memory;
    public long MemoryLength => _layout.TotalSize;
    public RingSpan TxRings => default;
    public RingSpan RxRings { get; }
    public IReadOnlyList<string> Warnings => Array.Empty<string>();
    public long Dropped => _oversize + _sockets.Sum(s => s?.TakeDrops() ?? 0);

    public void TxSync() => ThrowIfClosed();

    public void RxSync()
    {
        ThrowIfClosed();
        for (uint r = RxRings.First; r < RxRings.End; r++)
        {
            uint index = _layout.RingIndex(0, tx: false, r);
            var ring = _layout.View((byte*)_memory, index, Name);
            var k = _layout.Kring((byte*)_memory, index);
            k->HwCur = RingChecks.CheckedHead(ring, k->HwCur, k->UserTail);
            uint room = RingMath.Distance(k->HwTail, RingMath.Previous(k->HwCur, Slots), Slots);
            _fillRing = ring;
            _fillTail = k->HwTail;
            _sockets[r]!.Read(room, _sink);
            k->HwTail = k->UserTail = ring.Header->Tail = _fillTail;
            RingChecks.Stamp(ring.Header);
        }
    }

    /// <summary>Copies one frame into the next free slot of the ring being filled; skips the direction not monitored.</summary>
    private bool Take(byte* data, int captured, int wireLength, byte packetType, long timestamp)
    {
        bool outgoing = packetType == PacketRingSocket.PacketOutgoing;
        if (outgoing ? !_outgoing : !_incoming) return false;
        if (captured > _fillRing.BufferSize || wireLength > captured)
        {
            _oversize++; // a frame larger than a buffer is counted, never cut
            return false;
        }
        var slot = _fillRing.Slot(_fillTail);
        Buffer.MemoryCopy(data, _fillRing.Buffer(slot->BufferIndex), _fillRing.BufferSize, captured);
        slot->Length = (ushort)captured;
        slot->Flags = SlotFlags.None;
        _fillTail = RingMath.Next(_fillTail, Slots);
        return true;
    }

    public bool Wait(WaitDirection direction, int timeoutMs, CancellationToken cancel)
    {
        ThrowIfClosed();
        if (direction == WaitDirection.Transmit) return false;
        long deadline = Deadline.AfterMs(timeoutMs);
        while (true)
        {
            RxSync();
            if (_layout.AnyPastCur((byte*)_memory, 0, RxRings, tx: false)) return true;
            long left = deadline - Environment.TickCount64;
            if (left <= 0 || cancel.IsCancellationRequested) return false;
            fixed (LibC.PollFd* p = _poll) LibC.Poll(p, (nuint)_poll.Length, (int)Math.Min(left, 100));
        }
    }

    private void ThrowIfClosed()
    {
        if (_disposed) throw new NetmapException(NetmapError.Closed, $"The port '{Name}' is closed.");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var s in _sockets) s?.Dispose();
        if (_memory != 0 && _memory != -1) LibC.MUnmap(_memory, (nuint)_layout.TotalSize);
    }
}
