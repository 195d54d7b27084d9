namespace Netmap.Native.Capture;

/// <summary>
/// A pcapng interface's clock: units of 10^-n seconds (if_tsresol high bit clear) or 2^-n seconds
/// (high bit set), plus if_tsoffset seconds. Converts raw 64-bit timestamps to nanoseconds.
/// </summary>
internal readonly record struct TimestampResolution(bool PowerOfTwo, int Exponent, long OffsetSeconds)
{
    /// <summary>Microseconds, the pcapng default when if_tsresol is absent.</summary>
    public static readonly TimestampResolution Default = new(false, 6, 0);

    private const ulong NanosecondsPerSecond = 1_000_000_000;

    public static TimestampResolution FromOption(byte tsresol, long offsetSeconds) =>
        new((tsresol & 0x80) != 0, tsresol & 0x7f, offsetSeconds);

    /// <summary>Nanoseconds since the epoch, or null when that does not fit a 64-bit count.</summary>
    public long? ToNanoseconds(ulong raw)
    {
        Int128 nanoseconds = PowerOfTwo ? (Int128)(((UInt128)raw * NanosecondsPerSecond) >> Exponent) : ScaleDecimal(raw);
        nanoseconds += (Int128)OffsetSeconds * (long)NanosecondsPerSecond;
        return nanoseconds >= long.MinValue && nanoseconds <= long.MaxValue ? (long)nanoseconds : null;
    }

    private Int128 ScaleDecimal(ulong raw)
    {
        if (Exponent <= 9)
            return (Int128)((UInt128)raw * Pow10(9 - Exponent));
        int shift = Exponent - 9;
        return shift > 38 ? 0 : (Int128)((UInt128)raw / Pow10(shift)); // 10^39 exceeds 128 bits
    }

    private static UInt128 Pow10(int n)
    {
        UInt128 value = 1;
        for (int i = 0; i < n; i++)
            value *= 10;
        return value;
    }
}
