using Netmap.Native.Abi;
using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

public unsafe class RingMathTests
{
    [Theory]
    [InlineData(0u, 8u, 1u)]
    [InlineData(6u, 8u, 7u)]
    [InlineData(7u, 8u, 0u)]
    public void NextWraps(uint i, uint slots, uint expected) => Assert.Equal(expected, RingMath.Next(i, slots));

    [Theory]
    [InlineData(0u, 8u, 7u)]
    [InlineData(5u, 8u, 4u)]
    public void PreviousWraps(uint i, uint slots, uint expected) => Assert.Equal(expected, RingMath.Previous(i, slots));

    [Theory]
    [InlineData(2u, 5u, 8u, 3u)]
    [InlineData(6u, 1u, 8u, 3u)]
    [InlineData(4u, 4u, 8u, 0u)]
    public void DistanceWraps(uint from, uint to, uint slots, uint expected) => Assert.Equal(expected, RingMath.Distance(from, to, slots));

    [Theory]
    [InlineData(6u, 3u, 8u, 1u)]
    [InlineData(1u, 7u, 8u, 0u)]
    public void AdvanceWraps(uint i, uint n, uint slots, uint expected) => Assert.Equal(expected, RingMath.Advance(i, n, slots));

    [Fact]
    public void SpaceAndEmptyFollowHeadAndTail()
    {
        var ring = new NetmapRing { NumSlots = 1024, Head = 1000, Cur = 1000, Tail = 10 };
        Assert.Equal(34u, RingMath.Space(&ring));
        Assert.False(RingMath.IsEmpty(&ring));
        ring.Head = 10;
        Assert.Equal(0u, RingMath.Space(&ring));
        Assert.True(RingMath.IsEmpty(&ring));
    }

    [Fact]
    public void InRangeIsHalfOpenAndWraps()
    {
        Assert.True(RingMath.InRange(1022, 1020, 3, 1024));
        Assert.True(RingMath.InRange(2, 1020, 3, 1024));
        Assert.False(RingMath.InRange(3, 1020, 3, 1024));
        Assert.False(RingMath.InRange(5, 5, 5, 1024));
    }
}
