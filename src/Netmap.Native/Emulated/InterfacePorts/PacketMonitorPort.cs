using System.Runtime.CompilerServices;
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
internal sealed unsafe class PacketMonitorPort : RingSyncDriver
{
    private const uint Slots = 1024;
    private readonly PrivateRegion _region;
    private readonly PacketRingSocket?[] _sockets;
    private readonly bool _incoming, _outgoing;
    private readonly LibC.PollFd[] _poll;
    private readonly FrameSink _sink;
    private RingView _fillRing;
    private uint _fillTail;
    private long _oversize;

    public PacketMonitorPort(NetInterface nic, RingSpan rx, bool incoming, bool outgoing, string name, string why)
        : this(new PrivateRegion(new RegionGeometry(RegionKind.Interface, 1, nic.TxQueues + 1, nic.RxQueues + 1, Slots,
            NetmapAbi.DefaultBufferSize, HostRings: 1), (ushort)(3000 + Environment.ProcessId % 60000), nic.Name), nic, rx, incoming, outgoing, name, why)
    {
    }

    private PacketMonitorPort(PrivateRegion region, NetInterface nic, RingSpan rx, bool incoming, bool outgoing, string name, string why)
        : base(name, default, rx, region.Layout)
    {
        _region = region;
        _incoming = incoming;
        _outgoing = outgoing;
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

    public override string Mechanism { get; }
    public override string Region => _region.Description;
    public override long Dropped => _oversize + _sockets.Sum(s => s?.TakeDrops() ?? 0);
    protected override byte* Base => _region.Base;

    protected override (uint HwCur, uint HwTail) Transmit(uint ring, RingView view, uint hwcur, uint hwtail, uint head) => (hwcur, hwtail);

    /// <summary>What the queue's socket captured, copied into the free slots [hwtail, hwcur - 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the flood path: optimized from the first call, not after tier 0
    protected override uint Receive(uint ring, RingView view, KringState* kring, uint hwcur, uint hwtail)
    {
        uint room = RingMath.Distance(hwtail, RingMath.Previous(hwcur, Slots), Slots);
        _fillRing = view;
        _fillTail = hwtail;
        _sockets[ring]!.Read(room, _sink);
        return kring->HwTail = _fillTail;
    }

    /// <summary>Copies one frame into the next free slot of the ring being filled; skips the direction not monitored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        FrameCopy.Copy(data, _fillRing.Buffer(slot->BufferIndex), captured); // fits: checked above
        slot->Length = (ushort)captured;
        slot->Flags = SlotFlags.None;
        _fillTail = RingMath.Next(_fillTail, Slots);
        return true;
    }

    public override bool Wait(WaitDirection direction, int timeoutMs, CancellationToken cancel)
    {
        ThrowIfClosed();
        if (direction == WaitDirection.Transmit) return false;
        long deadline = Deadline.AfterMs(timeoutMs);
        while (true)
        {
            RxSync();
            if (Layout.AnyPastCur(Base, 0, RxRings, tx: false)) return true;
            long left = deadline - Environment.TickCount64;
            if (left <= 0 || cancel.IsCancellationRequested) return false;
            fixed (LibC.PollFd* p = _poll) LibC.Poll(p, (nuint)_poll.Length, (int)Math.Min(left, 100));
        }
    }

    protected override void Release()
    {
        foreach (var s in _sockets) s?.Dispose();
        _region.Dispose();
    }
}
