using Netmap.Native.Abi;
using Netmap.Native.Rings;

namespace Netmap.Native.Emulated;

/// <summary>Copies a frame into an RX ring of a port of a shared region, from any process, under the ring's producer lock.</summary>
internal static unsafe class SharedDelivery
{
    /// <summary>
    /// False (and the port's drop counter up) when the ring is full, its producer lock stays held (a
    /// stopped process), or its kring or next slot holds values out of range (written by another
    /// process): a damaged receiver loses frames, the sender and the other ports go on.
    /// </summary>
    public static bool Copy(SharedRegion region, uint port, uint ringIndex, byte* frame, ushort length)
    {
        var batch = DeliveryBatch.Open(region, port, ringIndex);
        bool copied = batch.Copy(frame, length);
        batch.Close();
        return copied;
    }
}

/// <summary>
/// Frames copied into one RX ring under one take of its producer lock, and published with one
/// write of hwtail, as netmap's VALE flushes a batch per destination. Everything read from the
/// region (hwtail, hwcur, the slots' buffer indices) is checked; what cannot be copied is counted
/// as dropped for the port.
/// </summary>
internal unsafe struct DeliveryBatch
{
    private readonly SharedRegion _region;
    private readonly uint _port;
    private readonly KringState* _kring;
    private readonly NetmapSlot* _slots;
    private readonly bool _locked;
    private uint _tail, _room;
    private bool _moved;

    private DeliveryBatch(SharedRegion region, uint port, KringState* kring, NetmapSlot* slots, bool locked, uint tail, uint room)
    {
        _region = region; _port = port; _kring = kring; _slots = slots; _locked = locked; _tail = tail; _room = room; _moved = false;
    }

    /// <summary>Takes RX ring <paramref name="ringIndex"/> of <paramref name="port"/> (the last one if there are fewer) for a batch.</summary>
    public static DeliveryBatch Open(SharedRegion region, uint port, uint ringIndex)
    {
        var layout = region.Layout;
        byte* b = region.Base;
        var g = layout.Geometry;
        uint index = layout.RingIndex(port, tx: false, Math.Min(ringIndex, g.RxRingsPerPort - 1));
        var k = layout.Kring(b, index);
        var slots = (NetmapSlot*)((byte*)layout.Ring(b, index) + NetmapRing.HeaderSize);
        if (!SharedSpinLock.TryEnter(&k->ProducerLock, region, region.HolderIndex, SharedSpinLock.DeliveryBoundMs))
            return new DeliveryBatch(region, port, k, slots, locked: false, 0, 0);
        uint tail = k->HwTail, cur = Volatile.Read(ref k->HwCur), n = g.Slots;
        uint room = tail < n && cur < n ? RingMath.Distance(tail, RingMath.Previous(cur, n), n) : 0; // out of range: a damaged ring takes nothing
        return new DeliveryBatch(region, port, k, slots, locked: true, tail, room);
    }

    /// <summary>Copies one frame into the next slot; false (counted as dropped) when it cannot.</summary>
    public bool Copy(byte* frame, ushort length)
    {
        var layout = _region.Layout;
        var g = layout.Geometry;
        if (_room == 0 || length > g.BufferSize) return Drop();
        var slot = _slots + _tail;
        uint buffer = slot->BufferIndex;
        if (!RingChecks.IsRegionBuffer(buffer, g.BufferCount)) return Drop();
        FrameCopy.Copy(frame, layout.Buffer(_region.Base, buffer), length); // fits: checked above
        slot->Length = length;
        slot->Flags = SlotFlags.None;
        _tail = _tail + 1 == g.Slots ? 0 : _tail + 1;
        _room--;
        _moved = true;
        return true;
    }

    /// <summary>Publishes what was copied and lets the ring go.</summary>
    public void Close()
    {
        if (!_locked) return;
        if (_moved) Volatile.Write(ref _kring->HwTail, _tail);
        SharedSpinLock.Exit(&_kring->ProducerLock);
    }

    private bool Drop()
    {
        Interlocked.Increment(ref _region.Layout.Port(_region.Base, _port)->RxDropped);
        return false;
    }
}

/// <summary>
/// The monitor ports of a region that are open right now, looked up once per sync: frames received
/// or transmitted by a watched port are copied to its monitors. Without monitors it costs one scan per sync.
/// </summary>
internal sealed unsafe class MonitorTaps(SharedRegion region)
{
    public const int Received = 1, Transmitted = 2;
    private readonly List<(uint Monitor, uint Watched, int Flags)> _active = new();
    private ulong _woken;

    public bool Any => _active.Count > 0;

    public void Refresh()
    {
        _active.Clear();
        _woken = 0;
        var g = region.Layout.Geometry;
        for (uint p = g.FirstMonitorPort; p < g.PortCapacity; p++)
        {
            var entry = region.Layout.Port(region.Base, p);
            int watched = entry->MonitorOf; // read once: another process may change it under us
            if (Volatile.Read(ref entry->InUse) != 0 && watched > 0 && watched <= g.FirstMonitorPort)
                _active.Add((p, (uint)watched - 1, entry->MonitorFlags));
        }
    }

    public void Copy(uint watched, int direction, uint ring, byte* frame, ushort length)
    {
        for (int i = 0; i < _active.Count; i++)
        {
            var (monitor, target, flags) = _active[i];
            if (target == watched && (flags & direction) != 0 && SharedDelivery.Copy(region, monitor, ring, frame, length))
                _woken |= 1UL << i;
        }
    }

    public void Wake()
    {
        for (int i = 0; _woken != 0; i++, _woken >>= 1)
            if ((_woken & 1) != 0) SharedEvent.Signal(&region.Layout.Port(region.Base, _active[i].Monitor)->RxEvent);
    }
}
