using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>
/// DelayLine, tlem's model of one direction of a link, on a clock the test moves (nanoseconds): release
/// times, serialization at a bandwidth, the queue limit, order under jitter, and the seeded draws.
/// </summary>
public sealed class DelayLineTests
{
    private const long Ms = 1_000_000, Us = 1_000;
    private static readonly byte[] Frame1000 = new byte[1000];

    private static DelayLine Line(long delay = 0, long jitter = 0, double loss = 0, double duplicate = 0, double bps = 0, int queue = 4096, ulong seed = 1) =>
        new(new LinkProfile(delay, jitter, loss, duplicate, bps, queue), 2048, seed);

    /// <summary>Takes every frame when it is due, moving the clock to each release time; returns the times.</summary>
    private static List<long> Drain(DelayLine line)
    {
        var times = new List<long>();
        while (line.Count > 0)
        {
            long t = line.NextRelease;
            Assert.False(line.TryPeekDue(t - 1, out _));
            Assert.True(line.TryPeekDue(t, out _));
            line.Take(t);
            times.Add(t);
        }
        return times;
    }

    [Fact]
    public void AFrameLeavesExactlyTheDelayAfterItArrived()
    {
        var line = Line(delay: 5 * Ms);
        Assert.Equal(1, line.Offer(100 * Ms, Frame1000));
        Assert.False(line.TryPeekDue(105 * Ms - 1, out _));
        Assert.True(line.TryPeekDue(105 * Ms, out var frame));
        Assert.Equal(1000, frame.Length);
        line.Take(105 * Ms + 20 * Us); // 20 us late: the added delay is what it really was
        Assert.Equal(5 * Ms + 20 * Us, line.MaxDelayNs);
        Assert.Equal(long.MaxValue, line.NextRelease);
    }

    [Fact]
    public void FramesKeepTheirBytes()
    {
        var line = Line(delay: Ms);
        for (byte i = 0; i < 10; i++) line.Offer(i, Enumerable.Repeat(i, 60 + i).ToArray());
        for (byte i = 0; i < 10; i++)
        {
            Assert.True(line.TryPeekDue(10 * Ms, out var frame));
            Assert.Equal(Enumerable.Repeat(i, 60 + i).ToArray(), frame.ToArray());
            line.Take(10 * Ms);
        }
    }

    [Fact]
    public void ABurstLeavesAtTheLinkRate()
    {
        // 10 Mbit/s: a 1000-byte frame takes 800 us on the link; 50 frames arrive at once.
        var line = Line(delay: 2 * Ms, bps: 10e6);
        for (int i = 0; i < 50; i++) line.Offer(0, Frame1000);
        var times = Drain(line);
        for (int i = 0; i < 50; i++) Assert.Equal(2 * Ms + (i + 1) * 800 * Us, times[i]);
        Assert.Equal(10e6, line.BitsPerSecond, 6);
    }

    [Fact]
    public void AnIdleLinkStartsAgainAtTheArrival()
    {
        var line = Line(delay: Ms, bps: 10e6);
        line.Offer(0, Frame1000);
        line.Offer(10 * Ms, Frame1000);
        Assert.Equal(new long[] { 1800 * Us, 11800 * Us }, Drain(line));
    }

    [Fact]
    public void AFullLineDropsAndCountsTheRest()
    {
        var line = Line(delay: Ms, queue: 3);
        int queued = 0;
        for (int i = 0; i < 5; i++) queued += line.Offer(0, Frame1000);
        Assert.Equal(3, queued);
        Assert.Equal(2, line.QueueDrops);
        line.Take(Ms);
        Assert.Equal(1, line.Offer(0, Frame1000)); // room again
        Assert.Equal(3, line.Count);
        Assert.Equal(3, line.Clear());
        Assert.Equal(0, line.Count);
    }

    [Fact]
    public void JitterSpreadsTheDelayUniformlyAndKeepsTheOrder()
    {
        // Frames 10 ms apart never catch up with each other: the delays are 5 ms +- 1 ms, uniform.
        var line = Line(delay: 5 * Ms, jitter: Ms, seed: 7);
        const int n = 20000;
        var delays = new List<long>();
        for (int i = 0; i < n; i++)
        {
            line.Offer(i * 10 * Ms, Frame1000);
            long t = line.NextRelease;
            delays.Add(t - i * 10 * Ms);
            line.Take(t);
        }
        Assert.InRange(delays.Min(), 4 * Ms, 4 * Ms + 5 * Us);
        Assert.InRange(delays.Max(), 6 * Ms - 5 * Us, 6 * Ms);
        // Uniform on [4, 6] ms: mean 5 ms, standard deviation 2/sqrt(12) ms; the mean of n within 4 sigma.
        double sigma = 2.0 * Ms / Math.Sqrt(12) / Math.Sqrt(n);
        Assert.InRange(delays.Average(), 5 * Ms - 4 * sigma, 5 * Ms + 4 * sigma);
        Assert.InRange(delays.Count(d => d < 4.5 * Ms), n / 4 - 4 * Math.Sqrt(n * 0.25 * 0.75), n / 4 + 4 * Math.Sqrt(n * 0.25 * 0.75));

        // Frames 1 us apart would overtake each other: they leave in order instead.
        var close = Line(delay: 5 * Ms, jitter: Ms, seed: 7);
        for (int i = 0; i < 1000; i++) close.Offer(i * Us, new[] { (byte)(i % 256), (byte)(i / 256) });
        var order = new List<int>();
        var times = new List<long>();
        while (close.Count > 0)
        {
            long t = close.NextRelease;
            close.TryPeekDue(t, out var f);
            order.Add(f[0] + 256 * f[1]);
            times.Add(t);
            close.Take(t);
        }
        Assert.Equal(Enumerable.Range(0, 1000), order);
        Assert.Equal(times.OrderBy(t => t), times);
        Assert.True(times[0] >= 4 * Ms && times[^1] <= 999 * Us + 6 * Ms);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.01)]
    [InlineData(0.5)]
    public void LossIsBinomialAndTheSeedRepeatsIt(double p)
    {
        const int n = 100_000;
        bool[] Kept(ulong seed)
        {
            var line = Line(loss: p, queue: 1, seed: seed);
            var kept = new bool[n];
            for (int i = 0; i < n; i++)
            {
                kept[i] = line.Offer(i, Frame1000) == 1;
                if (kept[i]) line.Take(i);
            }
            Assert.Equal(n, line.Offered);
            Assert.Equal(kept.Count(k => !k), line.Lost);
            return kept;
        }
        var first = Kept(42);
        double lost = first.Count(k => !k), sigma = Math.Sqrt(n * p * (1 - p));
        Assert.InRange(lost, n * p - 4 * sigma, n * p + 4 * sigma);
        Assert.Equal(first, Kept(42));
        Assert.NotEqual(first, Kept(43));
    }

    [Fact]
    public void DuplicatesAreBinomialAndFollowTheirFrame()
    {
        const int n = 50_000;
        const double p = 0.1;
        var line = Line(delay: Ms, duplicate: p, seed: 3);
        long copies = 0;
        for (int i = 0; i < n; i++)
        {
            int queued = line.Offer(i * 10 * Ms, new[] { (byte)i });
            Assert.InRange(queued, 1, 2);
            copies += queued;
            // both copies leave together, the copy not before its original
            var a = line.NextRelease;
            line.TryPeekDue(a, out var f1);
            byte b1 = f1[0];
            line.Take(a);
            if (queued == 2)
            {
                Assert.True(line.TryPeekDue(a, out var f2));
                Assert.Equal(b1, f2[0]);
                line.Take(a);
            }
        }
        double sigma = Math.Sqrt(n * p * (1 - p));
        Assert.Equal(copies - n, line.Duplicated);
        Assert.InRange(line.Duplicated, n * p - 4 * sigma, n * p + 4 * sigma);
        Assert.Equal(copies, line.Released);
    }

    [Fact]
    public void ADuplicateTakesLinkTimeToo()
    {
        var line = Line(duplicate: 1, bps: 8e6); // 1000 bytes: 1 ms each
        Assert.Equal(2, line.Offer(0, Frame1000));
        Assert.Equal(new long[] { Ms, 2 * Ms }, Drain(line));
    }

    [Fact]
    public void EveryFrameTakesThreeDrawsWhateverIsConfigured()
    {
        // The losses of a seed do not change when duplication or jitter are added.
        bool[] Kept(double duplicate, long jitter)
        {
            var line = Line(loss: 0.3, duplicate: duplicate, jitter: jitter, seed: 9);
            var kept = new bool[5000];
            for (int i = 0; i < kept.Length; i++)
            {
                kept[i] = line.Offer(i * 10 * Ms, Frame1000) > 0;
                line.Clear();
            }
            return kept;
        }
        Assert.Equal(Kept(0, 0), Kept(0.5, 3 * Ms));
    }

    [Theory]
    [InlineData("5ms", 5_000_000)]
    [InlineData("200us", 200_000)]
    [InlineData("200µs", 200_000)]
    [InlineData("1.5s", 1_500_000_000)]
    [InlineData("800ns", 800)]
    [InlineData("3", 3_000_000)]
    [InlineData(" 2.5 MS ", 2_500_000)]
    [InlineData("00:00:00.005", 5_000_000)]
    [InlineData("0", 0)]
    public void TimesParseWithTheirUnits(string text, long ns)
    {
        Assert.Equal(LinkValueError.None, LinkProfile.TryParseTime(text, out long parsed));
        Assert.Equal(ns, parsed);
    }

    [Theory]
    [InlineData("5 parsecs", LinkValueError.NotANumber)]
    [InlineData("-1ms", LinkValueError.Negative)]
    [InlineData("", LinkValueError.NotANumber)]
    [InlineData("2h", LinkValueError.NotANumber)]
    [InlineData("7200s", LinkValueError.TooLarge)]
    [InlineData("-00:00:01", LinkValueError.Negative)]
    public void BadTimesSayWhatIsWrong(string text, LinkValueError error) => Assert.Equal(error, LinkProfile.TryParseTime(text, out _));

    [Theory]
    [InlineData("100M", 100e6)]
    [InlineData("1G", 1e9)]
    [InlineData("10k", 10e3)]
    [InlineData("2.5Mbps", 2.5e6)]
    [InlineData("64 kbit/s", 64e3)]
    [InlineData("2500000", 2.5e6)]
    public void RatesParseWithTheirPrefixes(string text, double bps)
    {
        Assert.Equal(LinkValueError.None, LinkProfile.TryParseBitRate(text, out double parsed));
        Assert.Equal(bps, parsed);
    }

    [Theory]
    [InlineData("0", LinkValueError.NotAboveZero)]
    [InlineData("-5M", LinkValueError.NotAboveZero)]
    [InlineData("fast", LinkValueError.NotANumber)]
    [InlineData("10T", LinkValueError.NotANumber)]
    public void BadRatesSayWhatIsWrong(string text, LinkValueError error) => Assert.Equal(error, LinkProfile.TryParseBitRate(text, out _));

    [Theory]
    [InlineData("0.2", 0.2)]
    [InlineData("20%", 0.2)]
    [InlineData("1", 1)]
    [InlineData("0", 0)]
    public void ProbabilitiesParseAsFractionsOrPercentages(string text, double p)
    {
        Assert.Equal(LinkValueError.None, LinkProfile.TryParseProbability(text, out double parsed));
        Assert.Equal(p, parsed, 12);
    }

    [Theory]
    [InlineData("1.5", LinkValueError.OutOfRange)]
    [InlineData("-0.1", LinkValueError.OutOfRange)]
    [InlineData("150%", LinkValueError.OutOfRange)]
    [InlineData("NaN", LinkValueError.NotANumber)]
    [InlineData("often", LinkValueError.NotANumber)]
    public void BadProbabilitiesAreRefused(string text, LinkValueError error) => Assert.Equal(error, LinkProfile.TryParseProbability(text, out _));

    [Fact]
    public void AProfileOutOfRangeIsRefused()
    {
        Assert.Throws<ArgumentException>(() => Line(delay: -1));
        Assert.Throws<ArgumentException>(() => Line(loss: 1.5));
        Assert.Throws<ArgumentException>(() => Line(queue: 0));
        Assert.Throws<ArgumentException>(() => Line(bps: double.PositiveInfinity));
    }
}
