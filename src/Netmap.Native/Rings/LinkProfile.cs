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
        Probability(Loss, "-Loss");
        Probability(Duplicate, "-Duplicate");
        if (!(BitsPerSecond >= 0) || double.IsInfinity(BitsPerSecond))
            throw new ArgumentException($"The bandwidth {BitsPerSecond} bit/s is not a rate. Give bits per second above 0, such as '10M' or '1G'.");
        if (QueueLimit < 1 || QueueLimit > MaxQueueLimit)
            throw new ArgumentException($"The queue limit {QueueLimit} is out of range. Give 1 to {MaxQueueLimit} frames.");
    }

    private static void Probability(double p, string name)
    {
        if (!(p >= 0 && p <= 1))
            throw new ArgumentException(FormattableString.Invariant($"{name} {p} is not a probability. Give a value from 0 to 1 (0.2 drops one frame in five), or a percentage such as '20%'."));
    }

    private static string Time(long ns) => FormattableString.Invariant($"{ns / 1e6} ms");

    /// <summary>
    /// A time as a network engineer writes it: a number with a unit, 's', 'ms', 'us' (or 'µs') or 'ns';
    /// a bare number is milliseconds; a TimeSpan's text ('00:00:00.005') is taken too. Returns nanoseconds.
    /// </summary>
    /// <exception cref="ArgumentException">Not a number with one of those units, or negative.</exception>
    public static long ParseTime(string text, string name)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t.Contains(':') && TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var span))
            t = span.Ticks * 100 + "ns";
        (string unit, double scale)[] units = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)];
        double scale = 1e6;
        foreach (var (unit, s) in units)
            if (t.EndsWith(unit, StringComparison.Ordinal)) { t = t[..^unit.Length].TrimEnd(); scale = s; break; }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(value) || double.IsInfinity(value))
            throw new ArgumentException($"{name} '{text}' is not a time. Give a number with a unit: '5ms', '200us', '1.5s', '800ns' (a bare number is milliseconds).");
        if (value < 0)
            throw new ArgumentException($"{name} '{text}' is negative. Give 0 or more, such as '5ms'.");
        double ns = value * scale;
        if (ns > 3600e9) throw new ArgumentException($"{name} '{text}' is longer than an hour. Give at most '3600s'.");
        return (long)Math.Round(ns);
    }

    /// <summary>
    /// A rate in bits per second as tlem -B takes it: a number with an optional k, M or G (powers of
    /// 1000) and an optional 'bps' or 'bit/s' after it: '10M', '1G', '10k', '2.5Mbps', '100000'.
    /// </summary>
    /// <exception cref="ArgumentException">Not such a number, or not above 0.</exception>
    public static double ParseBitRate(string text)
    {
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
            throw new ArgumentException($"-Bandwidth '{text}' is not a rate. Give bits per second with an optional k, M or G: '10M', '1G', '64k', '2500000'.");
        if (value <= 0)
            throw new ArgumentException($"-Bandwidth '{text}' is not above 0. Give the link's rate, such as '10M'; leave -Bandwidth out for no limit.");
        return value * scale;
    }

    /// <summary>
    /// A probability as 0 to 1 ('0.2') or as a percentage ('20%').
    /// </summary>
    /// <exception cref="ArgumentException">Not a number, or outside 0 to 1 (0 % to 100 %).</exception>
    public static double ParseProbability(string text, string name)
    {
        string t = text.Trim();
        bool percent = t.EndsWith('%');
        if (percent) t = t[..^1].TrimEnd();
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new ArgumentException($"{name} '{text}' is not a probability. Give a value from 0 to 1 (0.2 drops one frame in five), or a percentage such as '20%'.");
        if (percent) value /= 100;
        Probability(value, name);
        return value;
    }
}
