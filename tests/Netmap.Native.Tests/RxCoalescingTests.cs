using System.Diagnostics;
using Netmap.Native.Emulated;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>The interface receiver's interrupt moderation: short at low rates, a batch's time under load, bounded.</summary>
public class RxCoalescingTests
{
    private static long Microseconds(double us) => (long)(us * Stopwatch.Frequency / 1e6);

    /// <summary>Counts <paramref name="frames"/> frames evenly over <paramref name="windows"/> windows of 1 ms from <paramref name="start"/>.</summary>
    private static long Feed(RxCoalescing c, long start, double framesPerMillisecond, int windows)
    {
        long now = start;
        for (int i = 0; i < windows; i++)
        {
            now += Microseconds(1000);
            c.Count((long)framesPerMillisecond, now);
        }
        return now;
    }

    [Fact]
    public void StartsShortAndStaysShortForATrickle()
    {
        var c = new RxCoalescing();
        Assert.Equal(RxCoalescing.MinMicroseconds, c.Microseconds);
        Assert.False(c.Flooding);
        Feed(c, Stopwatch.GetTimestamp(), 0.1, 20);   // 100 frames/s: a batch would take seconds; waiting buys nothing
        Assert.Equal(RxCoalescing.MinMicroseconds, c.Microseconds);
    }

    [Theory]
    [InlineData(4000, 512)]     // 4 Mpps: 2048 frames in 512 us
    [InlineData(1000, 2000)]    // 1 Mpps: 2.048 ms, held to 2 ms
    [InlineData(100, 2000)]     // 100 kpps: 20 ms, held to 2 ms
    [InlineData(50, 100)]       // 50 kpps: a trickle
    [InlineData(50000, 100)]    // 50 Mpps: 41 us, at least 100
    public void WaitsForABatchAtTheMeasuredRateWithinBounds(double framesPerMillisecond, uint expected)
    {
        var c = new RxCoalescing();
        Feed(c, Stopwatch.GetTimestamp(), framesPerMillisecond, 10);
        Assert.InRange(c.Microseconds, expected * 0.95, expected * 1.05);
        Assert.Equal(expected > RxCoalescing.MinMicroseconds, c.Flooding);
    }

    [Fact]
    public void DropsBackAsSoonAsAFloodStops()
    {
        var c = new RxCoalescing();
        long now = Feed(c, Stopwatch.GetTimestamp(), 1000, 10);
        Assert.True(c.Flooding);
        Feed(c, now, 0, 1);   // one silent millisecond
        Assert.Equal(RxCoalescing.MinMicroseconds, c.Microseconds);
        Assert.False(c.Flooding);
    }

    [Fact]
    public void MeasuresOverWindowsOfAMillisecondNotSingleSyncs()
    {
        var c = new RxCoalescing();
        long now = Stopwatch.GetTimestamp();
        c.Count(600, now + Microseconds(10));       // a burst within 10 us says nothing of the rate yet
        Assert.Equal(RxCoalescing.MinMicroseconds, c.Microseconds);
        c.Count(5400, now + Microseconds(1000));    // 6,000 frames in the first millisecond: 2048 of them in 341 us
        Assert.InRange(c.Microseconds, 324u, 358u);
    }
}
