using System.Runtime.CompilerServices;
using Netmap.Native.Abi;

namespace Netmap.Native.Rings;

/// <summary>What every sync checks before it trusts the pointers a user wrote into a ring.</summary>
public static unsafe class RingChecks
{
    /// <summary>
    /// Returns the ring's head after checking that head and cur lie in [hwcur, limit]. A ring that
    /// breaks this was corrupted by its user: like netmap, put it back in a consistent state (head =
    /// cur = hwcur, tail = limit) and fail the sync.
    /// </summary>
    /// <remarks>
    /// <paramref name="hwcur"/> and <paramref name="limit"/> come from the kring, which in emulated mode
    /// lies in the shared region too: they are checked first, and a bad one fails the sync without
    /// touching the ring.
    /// </remarks>
    public static uint CheckedHead(RingView ring, uint hwcur, uint limit)
    {
        uint slots = ring.Slots;
        ring.Index(hwcur, "hwcur");
        ring.Index(limit, ring.IsTx ? "hwtail" : "tail published at the last sync");
        var h = ring.Header;
        uint head = Volatile.Read(ref h->Head), cur = h->Cur;
        uint room = RingMath.Distance(hwcur, limit, slots);
        if (head < slots && cur < slots && RingMath.Distance(hwcur, head, slots) <= room && RingMath.Distance(hwcur, cur, slots) <= room)
            return head;
        h->Head = h->Cur = hwcur;
        h->Tail = limit;
        throw new NetmapException(NetmapError.Corrupted,
            $"{(ring.IsTx ? "TX" : "RX")} ring {ring.Number} of '{ring.Port}' was corrupted by its user: head {head}, cur {cur} must lie between hwcur {hwcur} and tail {limit}. The ring was reset to head = cur = {hwcur}.")
        { Field = "head", Value = head };
    }

    /// <summary>True when <paramref name="index"/> names a packet buffer of a region of <paramref name="buffers"/> buffers (netmap keeps buffers 0 and 1 aside).</summary>
    public static bool IsRegionBuffer(uint index, uint buffers) => index >= 2 && index < buffers;

    /// <summary>
    /// Checks the slots a user hands back in [hwcur, head): each must still hold a buffer of the region
    /// (index in [2, <paramref name="buffers"/>)), or the next frame written there would land outside it.
    /// A damaged slot fails the sync, with the ring reset to head = cur = hwcur, so nothing is released.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a receive path: optimized from its first frame (see RingSyncDriver.RxSync)
    public static void CheckReleasedSlots(RingView ring, uint hwcur, uint head, uint buffers)
    {
        for (uint i = hwcur; i != head; i = ring.Next(i))
        {
            uint buffer = ring.Slot(i)->BufferIndex;
            if (IsRegionBuffer(buffer, buffers)) continue;
            ring.Header->Head = ring.Header->Cur = hwcur;
            throw new NetmapException(NetmapError.Corrupted,
                $"RX ring {ring.Number} of '{ring.Port}' was corrupted by its user: slot {i} holds buffer {buffer}, outside the region's buffers 2 to {buffers - 1}. " +
                $"Nothing was released (head = cur = {hwcur} again); put back the buffer the slot had, then release it.")
            { Field = "buffer index", Value = buffer };
        }
    }


    /// <summary>Sets the ring's timestamp (netmap_ring.ts) to now.</summary>
    public static void Stamp(NetmapRing* ring)
    {
        long ticks = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
        ring->TimestampSeconds = ticks / TimeSpan.TicksPerSecond;
        ring->TimestampMicroseconds = ticks % TimeSpan.TicksPerSecond / 10;
    }

    /// <summary>The ring's timestamp as a UTC time.</summary>
    public static DateTime Timestamp(NetmapRing* ring) =>
        DateTime.UnixEpoch.AddTicks(ring->TimestampSeconds * TimeSpan.TicksPerSecond + ring->TimestampMicroseconds * 10);
}
