using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>The arithmetic of a replay's schedule: gaps, speed, rate, passes, and files whose timestamps misbehave.</summary>
public class ReplayScheduleTests
{
    private const long Second = 1_000_000_000;
    private static readonly long Epoch = 1_700_000_000 * Second;

    private static ReplaySchedule Follow(long[] timestamps, double speed = 1, int length = 100) =>
        ReplaySchedule.FollowTimestamps(timestamps, timestamps.Select(_ => length).ToArray(), speed);

    [Fact]
    public void FollowsTheGapsOfTheCaptureFromItsFirstFrame()
    {
        var schedule = Follow([Epoch, Epoch + 1_000_000, Epoch + 1_000_123, Epoch + 5_000_000]);
        Assert.Equal([0L, 1_000_000, 1_000_123, 5_000_000], Enumerable.Range(0, 4).Select(i => schedule.Due(0, i)));
        Assert.Equal(5_000_000, schedule.CaptureSpan);
        Assert.Equal(0, schedule.Backwards);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    public void SpeedDividesEveryGap(double speed)
    {
        var rng = new Random(5);
        long t = Epoch;
        long[] timestamps = Enumerable.Range(0, 200).Select(_ => t += rng.Next(200_000, 5_000_000)).ToArray();
        var normal = Follow(timestamps);
        var fast = Follow(timestamps, speed);
        for (int i = 0; i < timestamps.Length; i++)
            Assert.Equal(normal.Due(0, i) / speed, fast.Due(0, i), 1.0); // to the nanosecond it rounds to
        Assert.Equal(normal.Period / speed, fast.Period, 1.0);
        Assert.Equal(normal.CaptureSpan, fast.CaptureSpan); // the capture's own span does not change
    }

    [Fact]
    public void PassesFollowEachOtherAfterTheTimeOfTheFirstFrameAtTheCapturesBitRate()
    {
        // nmreplay: the first frame takes its length at the capture's average rate (bytes after it over the span)
        long[] timestamps = [Epoch, Epoch + 2_000_000, Epoch + 3_000_000, Epoch + 9_000_000];
        var schedule = ReplaySchedule.FollowTimestamps(timestamps, [300, 100, 200, 300], 1);
        long wrap = 9_000_000L * 300 / 600;
        Assert.Equal(9_000_000 + wrap, schedule.Period);
        for (int pass = 0; pass < 3; pass++)
            for (int i = 0; i < 4; i++)
                Assert.Equal(pass * (9_000_000 + wrap) + (timestamps[i] - Epoch), schedule.Due(pass, i));
    }

    [Fact]
    public void OneFrameRepeatsAtItsTimeAtOneGigabit()
    {
        var schedule = ReplaySchedule.FollowTimestamps([Epoch], [1000], 1);
        Assert.Equal(8000, schedule.Period);
        Assert.Equal(16_000, schedule.Due(2, 0));
    }

    [Fact]
    public void TimestampsGoingBackSendAtOnceAndTheScheduleGoesOnFromThere()
    {
        // the third frame is 10 s before the second: it is due with it, and the gap after it counts from its own time
        var schedule = Follow([Epoch + 10 * Second, Epoch + 10 * Second + 1_000_000, Epoch, Epoch + 3_000_000]);
        Assert.Equal([0L, 1_000_000, 1_000_000, 4_000_000], Enumerable.Range(0, 4).Select(i => schedule.Due(0, i)));
        Assert.Equal(1, schedule.Backwards);
        Assert.Equal(4_000_000, schedule.CaptureSpan);
    }

    [Fact]
    public void TimestampsAcrossTheWholeRangeSaturateInsteadOfWrapping()
    {
        var schedule = Follow([long.MinValue, long.MaxValue, long.MinValue, long.MaxValue]);
        for (int i = 1; i < 4; i++) Assert.Equal(ReplaySchedule.Never, schedule.Due(0, i));
        Assert.Equal(ReplaySchedule.Never, schedule.Due(long.MaxValue, 3));
        Assert.True(schedule.Period > 0);
    }

    [Fact]
    public void ARateIgnoresTheGapsEvenHugeOnes()
    {
        // a year between two frames of the file: at 1000 pps they go 1 ms apart all the same
        var schedule = ReplaySchedule.AtRate(3, 1000, captureSpan: 365L * 86400 * Second);
        Assert.Equal([0L, 1_000_000, 2_000_000], Enumerable.Range(0, 3).Select(i => schedule.Due(0, i)));
        Assert.Equal(3_000_000, schedule.Period);
        Assert.Equal(7_000_000, schedule.Due(2, 1)); // frame 7 of the stream, passes joined without a gap
        Assert.Equal(365L * 86400 * Second, schedule.CaptureSpan);
    }

    [Fact]
    public void ATinyRateDoesNotOverflow()
    {
        var schedule = ReplaySchedule.AtRate(10, 1e-30);
        Assert.Equal(ReplaySchedule.Never, schedule.Due(0, 1));
        Assert.Equal(ReplaySchedule.Never, schedule.Due(5, 9));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ASpeedOrRateThatIsNotAPositiveNumberIsRefused(double value)
    {
        var e = Assert.Throws<NetmapException>(() => Follow([Epoch, Epoch + 1], value));
        Assert.Equal(NetmapError.InvalidRequest, e.Error);
        Assert.Contains("above 0", e.Message);
        Assert.Throws<NetmapException>(() => ReplaySchedule.AtRate(2, value));
    }

    [Fact]
    public void NoFramesIsRefused()
    {
        var e = Assert.Throws<NetmapException>(() => Follow([]));
        Assert.Contains("no frames", e.Message);
    }
}
