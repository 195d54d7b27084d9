using Netmap.Native.Rings;

namespace NetmapPS;

/// <summary>
/// Reads Invoke-NetmapForward's link parameters (-Delay, -Jitter, -Loss, -Duplicate, -Bandwidth,
/// -QueueLimit) into one <see cref="LinkProfile"/> per direction, as tlem takes its options: one value
/// serves both directions, two give From to To, then To to From (with -Bidirectional).
/// </summary>
internal static class LinkParameters
{
    /// <summary>The profiles, or null when no link parameter was given.</summary>
    /// <exception cref="ArgumentException">A value that does not parse or is out of range, or two values without -Bidirectional; the message says which and how to fix it.</exception>
    public static (LinkProfile There, LinkProfile Back)? Read(string[]? delay, string[]? jitter, string[]? loss, string[]? duplicate, string[]? bandwidth,
        int queueLimit, bool queueLimitGiven, bool bothWays)
    {
        if (delay is null && jitter is null && loss is null && duplicate is null && bandwidth is null && !queueLimitGiven) return null;
        var delays = Each(delay, "-Delay", bothWays, Time, 0L);
        var jitters = Each(jitter, "-Jitter", bothWays, Time, 0L);
        var losses = Each(loss, "-Loss", bothWays, Probability, 0.0);
        var duplicates = Each(duplicate, "-Duplicate", bothWays, Probability, 0.0);
        var rates = Each(bandwidth, "-Bandwidth", bothWays, Rate, 0.0);
        LinkProfile Profile(int i) => new(delays[i], jitters[i], losses[i], duplicates[i], rates[i], queueLimit);
        var there = Profile(0);
        var back = Profile(1);
        there.Validate();
        back.Validate();
        return (there, back);
    }

    private static long Time(string text, string name) => LinkProfile.TryParseTime(text, out long ns) switch
    {
        LinkValueError.None => ns,
        LinkValueError.Negative => throw Refused(Strings.LinkNegativeTime, name, text),
        LinkValueError.TooLarge => throw Refused(Strings.LinkTimeTooLong, name, text),
        _ => throw Refused(Strings.LinkNotATime, name, text),
    };

    private static double Probability(string text, string name) => LinkProfile.TryParseProbability(text, out double p) == LinkValueError.None
        ? p : throw Refused(Strings.LinkNotAProbability, name, text);

    private static double Rate(string text, string name) => LinkProfile.TryParseBitRate(text, out double bps) switch
    {
        LinkValueError.None => bps,
        LinkValueError.NotAboveZero => throw Refused(Strings.LinkRateNotAboveZero, name, text),
        _ => throw Refused(Strings.LinkNotARate, name, text),
    };

    private static ArgumentException Refused(string template, string name, string text) => new(Words.Format(template, name, text));

    /// <summary>The value of each direction: none (the default both ways), one (both ways) or two (each way, with -Bidirectional).</summary>
    private static T[] Each<T>(string[]? values, string name, bool bothWays, Func<string, string, T> parse, T none)
    {
        if (values is null || values.Length == 0) return [none, none];
        if (values.Length > 2)
            throw new ArgumentException(Words.Format(Strings.LinkTooManyValues, name, values.Length));
        if (values.Length == 2 && !bothWays)
            throw new ArgumentException(Words.Format(Strings.LinkTwoValuesOneWay, name, string.Join(",", values)));
        var there = parse(values[0], name);
        return [there, values.Length == 2 ? parse(values[1], name) : there];
    }
}
