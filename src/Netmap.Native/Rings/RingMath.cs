using Netmap.Native.Abi;

namespace Netmap.Native.Rings;

/// <summary>
/// Ring index arithmetic, the one place every backend and loop takes it from. Indices run from 0 to
/// slots-1 and wrap; the user owns [head, tail).
/// </summary>
public static unsafe class RingMath
{
    /// <summary>The index after <paramref name="i"/> (nm_ring_next).</summary>
    public static uint Next(uint i, uint slots) => i + 1 == slots ? 0 : i + 1;

    /// <summary>The index before <paramref name="i"/>.</summary>
    public static uint Previous(uint i, uint slots) => i == 0 ? slots - 1 : i - 1;

    /// <summary><paramref name="i"/> moved forward by <paramref name="count"/> (count below slots).</summary>
    public static uint Advance(uint i, uint count, uint slots)
    {
        uint j = i + count;
        return j >= slots ? j - slots : j;
    }

    /// <summary>Slots from <paramref name="from"/> forward to <paramref name="to"/>, wrapping.</summary>
    public static uint Distance(uint from, uint to, uint slots) => to >= from ? to - from : to + slots - from;

    /// <summary>True when <paramref name="i"/> lies in [from, to) going forward with wrap-around.</summary>
    public static bool InRange(uint i, uint from, uint to, uint slots) =>
        Distance(from, i, slots) < Distance(from, to, slots);

    /// <summary>Slots the user owns (nm_ring_space): tail - head, wrapping.</summary>
    public static uint Space(NetmapRing* ring) => Distance(ring->Head, ring->Tail, ring->NumSlots);

    /// <summary>True when the user owns no slot (nm_ring_empty).</summary>
    public static bool IsEmpty(NetmapRing* ring) => ring->Head == ring->Tail;
}
