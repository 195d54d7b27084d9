using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace Netmap.Native.Emulated;

/// <summary>
/// A registered port of a shared region (pipe end or VALE port). The syncs do here, in the caller's
/// process, what netmap's kernel does in its sync calls: txsync moves [hwcur, head) of each TX ring
/// to its destination, rxsync releases [hwcur, head) and publishes new packets by moving tail.
/// </summary>
internal sealed unsafe class SharedMemoryPort : RingSyncDriver
{
    private readonly SharedRegion _region;
    private readonly uint _port;
    private readonly ITransmitPath _transmit;
    private readonly Func<bool> _rxReady, _txReady;
    private readonly Action? _checkPeer;
    private readonly uint _peer;
    private readonly int _peerOpensAtOpen;
    private bool _peerSeen;

    public SharedMemoryPort(SharedRegion region, uint port, RingSpan tx, RingSpan rx, string mechanism, string name)
        : base(name, tx, rx, region.Layout)
    {
        _region = region;
        _port = port;
        Mechanism = mechanism;
        _transmit = Layout.Geometry.Kind == RegionKind.Pipe ? new PipeTransmitPath(region) : new ValeTransmitPath(region);
        _rxReady = () => { RxSync(); return Layout.AnyPastCur(Base, _port, RxRings, tx: false); };
        _txReady = () => { TxSync(); return Layout.AnyPastCur(Base, _port, TxRings, tx: true); };
        if (Layout.Geometry.Kind == RegionKind.Pipe && port < Layout.Geometry.FirstMonitorPort)
        {
            _peer = port ^ 1;
            _peerOpensAtOpen = Volatile.Read(ref Layout.Port(Base, _peer)->Opens);
            _peerSeen = region.PortHasLiveOwner(_peer);
            _checkPeer = ThrowIfPeerGone;
        }
    }

    public override string Mechanism { get; }
    public override ushort MemoryId => _region.Header->MemoryId;
    public override string Region => _region.Path;
    public override long MemoryLength => _region.MappedSize;
    public override long Dropped => Volatile.Read(ref Entry->RxDropped);
    public override long TransmitErrors => Volatile.Read(ref Entry->TxErrors);
    public IReadOnlyList<NetmapWarning> OpenWarnings { get; init; } = Array.Empty<NetmapWarning>();
    public override IReadOnlyList<NetmapWarning> Warnings => OpenWarnings;
    /// <summary>A VALE switch reads the destination MAC of every frame: it drops those shorter than an Ethernet header.</summary>
    public override (int Shortest, int Longest) FrameLimits(uint ring) => (Layout.Geometry.Kind == RegionKind.ValeSwitch ? 14 : 0, int.MaxValue);
    protected override byte* Base => _region.Base;
    protected override uint RegionPort => _port;
    private PortEntry* Entry => Layout.Port(Base, _port);

    /// <summary>This port's index in its region.</summary>
    public uint PortIndex => _port;

    /// <summary>Marks this switch port as the bridge of an interface's NIC rings (1) or host stack (2), as Get-NetmapValeSwitch shows it.</summary>
    public void MarkAttached(int kind) => Volatile.Write(ref Entry->AttachedInterface, kind);

    /// <summary>True once another process asked (Remove-NetmapValePort) for the interface this port bridges to be detached.</summary>
    public bool DetachRequested => Volatile.Read(ref Entry->DetachRequested) != 0;

    /// <summary>[hwcur, head) goes to the peer (pipe) or through the switch (VALE) at once; the slots are free again.</summary>
    protected override (uint HwCur, uint HwTail) Transmit(uint ring, RingView view, uint hwcur, uint hwtail, uint head)
    {
        if (head == hwcur) return (hwcur, hwtail);
        hwcur = RingMath.Advance(hwcur, _transmit.Transmit(_port, view, hwcur, head), view.Slots);
        return (hwcur, RingMath.Previous(hwcur, view.Slots));
    }

    /// <summary>The producers (other processes) moved hwtail: checked before it is published.</summary>
    protected override uint Receive(uint ring, RingView view, KringState* kring, uint hwcur, uint hwtail) =>
        view.Index(Volatile.Read(ref kring->HwTail), "hwtail");

    protected override void SlotsReleased() => _transmit.SlotsReleased(_port);

    /// <summary>A damaged ring of the peer stopped the pipe: the frames before it went, the sync fails with RingCorrupted.</summary>
    protected override void TxSyncDone()
    {
        if (_transmit.TakeDamage() is { } damage) throw damage;
    }

    public override bool Wait(WaitDirection direction, int timeoutMs, CancellationToken cancel)
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
        if (!_peerSeen && Volatile.Read(ref Layout.Port(Base, _peer)->Opens) == _peerOpensAtOpen) return;
        throw new NetmapException(NetmapError.PeerGone,
            $"'{Name}': the other end of the pipe was closed, or its process ended; nothing more will arrive or be taken. Open the other end again, then retry.");
    }

    protected override void Release() => _region.Dispose();
}
