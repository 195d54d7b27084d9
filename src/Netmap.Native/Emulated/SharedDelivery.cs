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
        var layout = region.Layout;
        byte* b = region.Base;
        var g = layout.Geometry;
        uint index = layout.RingIndex(port, tx: false, Math.Min(ringIndex, g.RxRingsPerPort - 1));
        var k = layout.Kring(b, index);
        uint slots = g.Slots;
        if (!SharedSpinLock.TryEnter(&k->ProducerLock, region, region.HolderIndex, SharedSpinLock.DeliveryBoundMs))
            return Dropped(layout, b, port);
        try
        {
            uint tail = k->HwTail, cur = Volatile.Read(ref k->HwCur);
            if (tail >= slots || cur >= slots || RingMath.Distance(tail, RingMath.Previous(cur, slots), slots) == 0 || length > g.BufferSize)
                return Dropped(layout, b, port);
            var slot = (NetmapSlot*)((byte*)layout.Ring(b, index) + NetmapRing.HeaderSize) + tail;
            uint buffer = slot->BufferIndex;
            if (!RingChecks.IsRegionBuffer(buffer, g.BufferCount)) return Dropped(layout, b, port);
            Buffer.MemoryCopy(frame, layout.Buffer(b, buffer), g.BufferSize, length);
            slot->Length = length;
            slot->Flags = SlotFlags.None;
            Volatile.Write(ref k->HwTail, RingMath.Next(tail, slots));
            return true;
        }
        finally
        {
            SharedSpinLock.Exit(&k->ProducerLock);
        }
    }

    private static bool Dropped(RegionLayout layout, byte* b, uint port)
    {
        Interlocked.Increment(ref layout.Port(b, port)->RxDropped);
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
