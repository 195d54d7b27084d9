using System.Runtime.CompilerServices;
using Netmap.Native.Abi;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace Netmap.Native.Emulated;

/// <summary>
/// What every user-space driver does around its own work, as netmap's kernel frames a driver's sync:
/// the prologue checks what the user wrote (head and cur within [hwcur, tail], the buffers of released
/// RX slots), the driver moves frames, and the finalize publishes hwcur, hwtail and tail and stamps the
/// ring. A driver says only how frames leave a TX ring and how they enter an RX ring.
/// </summary>
/// <remarks>
/// The ring's timestamp is set when an RX sync brings frames, or on any sync of a ring whose user set
/// NR_TIMESTAMP: netmap with netmap_no_timestamp=1. A sync that brings nothing costs no clock read, and
/// the frames of a ring keep the time they arrived.
/// </remarks>
internal abstract unsafe class RingSyncDriver : IPortDriver
{
    private bool _disposed;

    protected RingSyncDriver(string name, RingSpan tx, RingSpan rx, RegionLayout layout)
    {
        Name = name;
        TxRings = tx;
        RxRings = rx;
        Layout = layout;
    }

    public string Name { get; }
    public RingSpan TxRings { get; }
    public RingSpan RxRings { get; }
    public PortMode Mode => PortMode.Emulated;
    public NetmapInterface* Interface => Layout.Interface(Base, RegionPort);
    public byte* MemoryStart => Base;
    public virtual long MemoryLength => Layout.TotalSize;
    public long RegionSize => Layout.TotalSize;
    public virtual ushort MemoryId => RegionLayout.Header(Base)->MemoryId;
    public abstract string Mechanism { get; }
    public abstract string Region { get; }
    public abstract long Dropped { get; }
    long? IPortDriver.Dropped => Dropped;
    public virtual long TransmitErrors => 0;
    public virtual IReadOnlyList<NetmapWarning> Warnings => Array.Empty<NetmapWarning>();
    public virtual (int Shortest, int Longest) FrameLimits(uint ring) => (0, int.MaxValue);

    protected RegionLayout Layout { get; }
    /// <summary>Where the region is mapped in this process.</summary>
    protected abstract byte* Base { get; }
    /// <summary>The port of the region whose rings these are (0 for a region of one port).</summary>
    protected virtual uint RegionPort => 0;
    protected bool IsDisposed => _disposed;

    /// <summary>
    /// Moves the frames of TX ring <paramref name="ring"/> in [<paramref name="hwcur"/>, <paramref name="head"/>)
    /// out; returns the new hwcur (first slot not taken) and hwtail (last slot the user may fill, exclusive).
    /// </summary>
    protected abstract (uint HwCur, uint HwTail) Transmit(uint ring, RingView view, uint hwcur, uint hwtail, uint head);

    /// <summary>
    /// Brings new frames into RX ring <paramref name="ring"/> from <paramref name="hwtail"/> up to the slot
    /// before <paramref name="hwcur"/>; returns the new hwtail.
    /// </summary>
    protected abstract uint Receive(uint ring, RingView view, KringState* kring, uint hwcur, uint hwtail);

    /// <summary>Called after an RX sync released slots (a producer waiting for room can go on).</summary>
    protected virtual void SlotsReleased() { }

    public void TxSync()
    {
        ThrowIfClosed();
        for (uint r = TxRings.First; r < TxRings.End; r++)
        {
            var ring = Ring(tx: true, r, out var k);
            uint hwcur = k->HwCur, hwtail = k->HwTail;
            uint head = RingChecks.CheckedHead(ring, hwcur, hwtail);
            var (newCur, newTail) = Transmit(r, ring, hwcur, hwtail, head);
            // Written only when changed: in a shared region an unchanged line stays in the peer's cache.
            if (newCur != hwcur) k->HwCur = newCur;
            if (newTail != hwtail) k->HwTail = newTail;
            ring.Header->Tail = newTail;
            if ((ring.Header->Flags & RingFlags.Timestamp) != 0) RingChecks.Stamp(ring.Header);
        }
        TxSyncDone();
    }

    /// <summary>After a TX sync published what it moved: a driver reports here what stopped it (it may throw).</summary>
    protected virtual void TxSyncDone() { }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // not left to tiered compilation, whose queue a new pwsh fills for seconds: perf saw a flood taken at tier 0
    public void RxSync()
    {
        ThrowIfClosed();
        bool released = false;
        for (uint r = RxRings.First; r < RxRings.End; r++)
        {
            var ring = Ring(tx: false, r, out var k);
            uint hwcur = k->HwCur, published = k->UserTail;
            uint head = RingChecks.CheckedHead(ring, hwcur, published);
            if (head != hwcur)
            {
                RingChecks.CheckReleasedSlots(ring, hwcur, head, Layout.Geometry.BufferCount);
                Volatile.Write(ref k->HwCur, head);
                released = true;
            }
            uint tail = Receive(r, ring, k, head, published);
            if (tail != published || (ring.Header->Flags & RingFlags.Timestamp) != 0) RingChecks.Stamp(ring.Header);
            k->UserTail = tail;
            ring.Header->Tail = tail;
        }
        if (released) SlotsReleased();
    }

    /// <summary>TX or RX ring <paramref name="r"/> of this port: its view (shape from private memory) and its kring.</summary>
    private RingView Ring(bool tx, uint r, out KringState* kring)
    {
        uint index = Layout.RingIndex(RegionPort, tx, r);
        kring = Layout.Kring(Base, index);
        return Layout.View(Base, index, Name);
    }

    public abstract bool Wait(WaitDirection direction, int timeoutMs, CancellationToken cancel);

    protected void ThrowIfClosed()
    {
        if (_disposed) throw new NetmapException(NetmapError.Closed, $"The port '{Name}' is closed.");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Release();
    }

    /// <summary>Gives back what the driver holds (sockets, the region).</summary>
    protected abstract void Release();
}
