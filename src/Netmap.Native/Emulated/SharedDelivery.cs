using Netmap.Native.Abi;
using Netmap.Native.Rings;

namespace Netmap.Native.Emulated;

/// <summary>Copies a frame into an RX ring of a port of a shared region, from any process, under the ring's producer lock.</summary>
internal static unsafe class SharedDelivery
{
    /// <summary>False (and the port's drop counter up) when the ring is full or its next slot is corrupt.</summary>
    public static bool Copy(SharedRegion region, uint port, uint ringIndex, byte* frame, ushort length)
    {
        var layout = region.Layout;
        byte* b = region.Base;
        uint index = layout.RingIndex(port, tx: false, Math.Min(ringIndex, layout.Geometry.RxRingsPerPort - 1));
        var ring = layout.Ring(b, index);
        var k = layout.Kring(b, index);
        uint slots = ring->NumSlots;
        SharedSpinLock.Enter(&k->ProducerLock);
        try
        {
            uint tail = k->HwTail;
            var slot = NetmapRing.Slot(ring, tail);
            if (RingMath.Distance(tail, RingMath.Previous(Volatile.Read(ref k->HwCur), slots), slots) == 0
                || !RingChecks.IsRegionBuffer(slot->BufferIndex, layout.Geometry.BufferCount) || length > ring->BufferSize)
            {
                Interlocked.Increment(ref layout.Port(b, port)->RxDropped);
                return false;
            }
            Buffer.MemoryCopy(frame, NetmapRing.Buffer(ring, slot->BufferIndex), ring->BufferSize, length);
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
            if (Volatile.Read(ref entry->InUse) != 0 && entry->MonitorOf > 0)
                _active.Add((p, (uint)entry->MonitorOf - 1, entry->MonitorFlags));
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
