using System.Globalization;

namespace Netmap.Native.Rings;

/// <summary>
/// The impairments of one direction of an emulated link, as netmap's tlem configures each direction:
/// a delay with uniform jitter, a loss and a duplication probability, a bandwidth, and the frames the
/// link may hold (its queue and its delay line together).
/// </summary>
/// <param name="DelayNs">Added delay, nanoseconds (tlem -D constant).</param>
/// <param name="JitterNs">Each frame's delay is DelayNs plus a uniform draw in [-JitterNs, +JitterNs] (at least 0).</param>
/// <param name="Loss">Probability 0 to 1 that a frame is dropped (tlem -L plr).</param>
/// <param name="Duplicate">Probability 0 to 1 that a frame that was kept goes out twice.</param>
/// <param name="BitsPerSecond">The link's rate, frame bytes without Ethernet framing (tlem -B constant); 0: no limit.</param>
/// <param name="QueueLimit">Frames the direction holds at once; one more is dropped (tlem's queue overflow).</param>
public sealed record LinkProfile(long DelayNs, long JitterNs, double Loss, double Duplicate, double BitsPerSecond, int QueueLimit)
{
    /// <summary>The frames a direction holds by default: 5 ms at 1 Mpps with room to spare, 8 MiB of 2 KiB buffers.</summary>
    public const int DefaultQueueLimit = 4096;

    /// <summary>Largest QueueLimit: 2^20 frames (2 GiB of 2 KiB buffers).</summary>
    public const int MaxQueueLimit = 1 << 20;

    /// <exception cref="ArgumentException">A value out of range; the message says which and what is allowed.</exception>
    public void Validate()
    {
        if (DelayNs < 0) throw new ArgumentException($"The delay {Time(DelayNs)} is negative. Give a delay of 0 or more, such as '5ms' or '200us'.");
        if (JitterNs < 0) throw new ArgumentException($"The jitter {Time(JitterNs)} is negative. Give a jitter of 0 or more, such as '1ms'.");
        if (!IsProbability(Loss)) throw new ArgumentException(FormattableString.Invariant($"The loss probability {Loss} is not between 0 and 1."));
        if (!IsProbability(Duplicate)) throw new ArgumentException(FormattableString.Invariant($"The duplication probability {Duplicate} is not between 0 and 1."));
        if (!(BitsPerSecond >= 0) || double.IsInfinity(BitsPerSecond))
            throw new ArgumentException($"The bandwidth {BitsPerSecond} bit/s is not a rate. Give bits per second above 0, such as '10M' or '1G'.");
        if (QueueLimit < 1 || QueueLimit > MaxQueueLimit)
            throw new ArgumentException($"The queue limit {QueueLimit} is out of range. Give 1 to {MaxQueueLimit} frames.");
    }

    private static bool IsProbability(double p) => p >= 0 && p <= 1;

    private static string Time(long ns) => FormattableString.Invariant($"{ns / 1e6} ms");

    /// <summary>The longest time <see cref="TryParseTime"/> takes: an hour.</summary>
    public const long MaxTimeNs = 3600L * 1_000_000_000;

    /// <summary>
    /// A time as a network engineer writes it: a number with a unit, 's', 'ms', 'us' (or 'µs') or 'ns';
    /// a bare number is milliseconds; a TimeSpan's text ('00:00:00.005') is taken too.
    /// </summary>
    /// <returns><see cref="LinkValueError.None"/> and the time in nanoseconds, or what is wrong with the text.</returns>
    public static LinkValueError TryParseTime(string text, out long ns)
    {
        ns = 0;
        string t = text.Trim().ToLowerInvariant();
        if (t.Contains(':') && TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var span))
            t = span.Ticks * 100 + "ns";
        (string unit, double scale)[] units = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)];
        double scale = 1e6;
        foreach (var (unit, s) in units)
            if (t.EndsWith(unit, StringComparison.Ordinal)) { t = t[..^unit.Length].TrimEnd(); scale = s; break; }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(value) || double.IsInfinity(value))
            return LinkValueError.NotANumber;
        if (value < 0) return LinkValueError.Negative;
        double result = value * scale;
        if (result > MaxTimeNs) return LinkValueError.TooLarge;
        ns = (long)Math.Round(result);
        return LinkValueError.None;
    }

    /// <summary>
    /// A rate in bits per second as tlem -B takes it: a number with an optional k, M or G (powers of
    /// 1000) and an optional 'bps' or 'bit/s' after it: '10M', '1G', '10k', '2.5Mbps', '100000'.
    /// </summary>
    /// <returns><see cref="LinkValueError.None"/> and the rate, or what is wrong (NotANumber, NotAboveZero).</returns>
    public static LinkValueError TryParseBitRate(string text, out double bitsPerSecond)
    {
        bitsPerSecond = 0;
        string t = text.Trim();
        foreach (string suffix in new[] { "bit/s", "bps", "b/s" })
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) { t = t[..^suffix.Length].TrimEnd(); break; }
        double scale = 1;
        if (t.Length > 0 && "kKmMgG".Contains(t[^1]))
        {
            scale = char.ToLowerInvariant(t[^1]) switch { 'k' => 1e3, 'm' => 1e6, _ => 1e9 };
            t = t[..^1].TrimEnd();
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(value) || double.IsInfinity(value))
            return LinkValueError.NotANumber;
        if (value <= 0) return LinkValueError.NotAboveZero;
        bitsPerSecond = value * scale;
        return LinkValueError.None;
    }

    /// <summary>A probability as 0 to 1 ('0.2') or as a percentage ('20%').</summary>
    /// <returns><see cref="LinkValueError.None"/> and the probability, or what is wrong (NotANumber, OutOfRange).</returns>
    public static LinkValueError TryParseProbability(string text, out double probability)
    {
        probability = 0;
        string t = text.Trim();
        bool percent = t.EndsWith('%');
        if (percent) t = t[..^1].TrimEnd();
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(value))
            return LinkValueError.NotANumber;
        if (percent) value /= 100;
        if (!IsProbability(value)) return LinkValueError.OutOfRange;
        probability = value;
        return LinkValueError.None;
    }
}

/// <summary>What is wrong with the text of a link parameter.</summary>
public enum LinkValueError { None, NotANumber, Negative, TooLarge, NotAboveZero, OutOfRange }
