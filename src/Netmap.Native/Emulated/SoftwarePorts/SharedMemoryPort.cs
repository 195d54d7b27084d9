using Netmap.Native.Abi;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace Netmap.Native.Emulated;

/// <summary>
/// A registered port of a shared region (pipe end or VALE port). The syncs do here, in the caller's
/// process, what netmap's kernel does in its sync calls: txsync moves [hwcur, head) of each TX ring
/// to its destination, rxsync releases [hwcur, head) and publishes new packets by moving tail.
/// </summary>
internal sealed unsafe class SharedMemoryPort : IPortDriver
{
    private readonly SharedRegion _region;
    private readonly RegionLayout _layout;
    private readonly uint _port;
    private readonly ITransmitPath _transmit;
    private readonly Func<bool> _rxReady, _txReady;
    private readonly Action? _checkPeer;
    private readonly uint _peer;
    private readonly int _peerOpensAtOpen;
    private bool _peerSeen, _disposed;

    public SharedMemoryPort(SharedRegion region, uint port, RingSpan tx, RingSpan rx, string mechanism, string name)
    {
        _region = region;
        _layout = region.Layout;
        _port = port;
        TxRings = tx;
        RxRings = rx;
        Mechanism = mechanism;
        Name = name;
        _transmit = _layout.Geometry.Kind == RegionKind.Pipe ? new PipeTransmitPath(region) : new ValeTransmitPath(region);
        _rxReady = () => { RxSync(); return _layout.AnyPastCur(Base, _port, RxRings, tx: false); };
        _txReady = () => { TxSync(); return _layout.AnyPastCur(Base, _port, TxRings, tx: true); };
        if (_layout.Geometry.Kind == RegionKind.Pipe && port < _layout.Geometry.FirstMonitorPort)
        {
            _peer = port ^ 1;
            _peerOpensAtOpen = Volatile.Read(ref _layout.Port(Base, _peer)->Opens);
            _peerSeen = region.PortHasLiveOwner(_peer);
            _checkPeer = ThrowIfPeerGone;
        }
    }

    public string Name { get; }
    public NetmapInterface* Interface => _layout.Interface(Base, _port);
    public PortMode Mode => PortMode.Emulated;
    public string Mechanism { get; }
    public ushort MemoryId => _region.Header->MemoryId;
    public string Region => _region.Path;
    public long RegionSize => _layout.TotalSize;
    public byte* MemoryStart => Base;
    public long MemoryLength => _region.MappedSize;
    public RingSpan TxRings { get; }
    public RingSpan RxRings { get; }
    public long Dropped => Volatile.Read(ref _layout.Port(Base, _port)->RxDropped);
    public long TransmitErrors => Volatile.Read(ref _layout.Port(Base, _port)->TxErrors);
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
    /// <summary>A VALE switch reads the destination MAC of every frame: it drops those shorter than an Ethernet header.</summary>
    public (int Shortest, int Longest) FrameLimits(uint ring) => (_layout.Geometry.Kind == RegionKind.ValeSwitch ? 14 : 0, int.MaxValue);
    private byte* Base => _region.Base;
    private PortEntry* Entry => _layout.Port(Base, _port);

    public void TxSync()
    {
        ThrowIfClosed();
        for (uint r = TxRings.First; r < TxRings.End; r++)
        {
            uint index = _layout.RingIndex(_port, tx: true, r);
            var ring = _layout.View(Base, index, Name);
            var k = _layout.Kring(Base, index);
            uint hwcur = k->HwCur, hwtail = k->HwTail;
            uint head = RingChecks.CheckedHead(ring, hwcur, hwtail);
            if (head != hwcur)
            {
                uint moved = _transmit.Transmit(_port, ring, hwcur, head);
                hwcur = RingMath.Advance(hwcur, moved, ring.Slots);
                hwtail = RingMath.Previous(hwcur, ring.Slots);
                k->HwCur = hwcur;
                k->HwTail = hwtail;
            }
            ring.Header->Tail = hwtail;
            if ((ring.Header->Flags & RingFlags.Timestamp) != 0) RingChecks.Stamp(ring.Header);
        }
    }

    public void RxSync()
    {
        ThrowIfClosed();
        bool released = false;
        for (uint r = RxRings.First; r < RxRings.End; r++)
        {
            uint index = _layout.RingIndex(_port, tx: false, r);
            var ring = _layout.View(Base, index, Name);
            var k = _layout.Kring(Base, index);
            uint hwcur = k->HwCur;
            uint head = RingChecks.CheckedHead(ring, hwcur, k->UserTail);
            if (head != hwcur)
            {
                RingChecks.CheckReleasedSlots(ring, hwcur, head, _layout.Geometry.BufferCount);
                Volatile.Write(ref k->HwCur, head);
                released = true;
            }
            // hwtail is written by the producers (other processes): checked before it is published.
            uint tail = ring.Index(Volatile.Read(ref k->HwTail), "hwtail");
            // The time of the sync that brought the frames in (netmap stamps every rxsync; a sync that
            // brought nothing leaves the stamp of the frames still there, and costs no clock read).
            if (tail != k->UserTail || (ring.Header->Flags & RingFlags.Timestamp) != 0) RingChecks.Stamp(ring.Header);
            k->UserTail = tail;
            ring.Header->Tail = tail;
        }
        if (released) _transmit.SlotsReleased(_port);
    }

    public bool Wait(WaitDirection direction, int timeoutMs, CancellationToken cancel)
    {
        ThrowIfClosed();
        return direction == WaitDirection.Receive
            ? SharedEvent.WaitUntil(&Entry->RxEvent, _rxReady, timeoutMs, cancel, _checkPeer)
            : SharedEvent.WaitUntil(&Entry->TxEvent, _txReady, timeoutMs, cancel, _checkPeer);
    }

    /// <summary>
    /// A pipe end whose peer was open (when this end opened, or since) and holds no ring any more will
    /// get nothing more: a wait ends with <see cref="NetmapError.PeerGone"/> instead of sleeping forever.
    /// A peer that has not come yet is waited for.
    /// </summary>
    private void ThrowIfPeerGone()
    {
        if (_region.PortHasLiveOwner(_peer))
        {
            _peerSeen = true;
            return;
        }
        if (!_peerSeen && Volatile.Read(ref _layout.Port(Base, _peer)->Opens) == _peerOpensAtOpen) return;
        throw new NetmapException(NetmapError.PeerGone,
            $"'{Name}': the other end of the pipe was closed, or its process ended; nothing more will arrive or be taken. Open the other end again, then retry.");
    }

    private void ThrowIfClosed()
    {
        if (_disposed) throw new NetmapException(NetmapError.Closed, $"The port '{Name}' is closed.");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _region.Dispose();
    }
}
