namespace Netmap.Native.Rings;

/// <summary>
/// When each frame of a replay is due, in nanoseconds after the replay began: the capture's gaps
/// divided by the speed, or one frame every 1/rate seconds; pass k of a loop starts k periods later.
/// A timestamp earlier than the one before it (a reordered capture) gives a gap of 0: that frame is
/// due at once and the schedule goes on from there. Sums saturate at <see cref="Never"/> rather than
/// overflow, so that no file's timestamps can wrap a due time into the past.
/// </summary>
public sealed class ReplaySchedule
{
    /// <summary>Far enough to be never; adding two of them cannot overflow.</summary>
    public const long Never = long.MaxValue / 4;

    private readonly long[] _offsets;

    private ReplaySchedule(long[] offsets, long period, long captureSpan, int backwards)
    {
        _offsets = offsets;
        Period = period;
        CaptureSpan = captureSpan;
        Backwards = backwards;
    }

    /// <summary>Frames in one pass.</summary>
    public int Frames => _offsets.Length;
    /// <summary>Nanoseconds from the first frame of a pass to the first frame of the next.</summary>
    public long Period { get; }
    /// <summary>Nanoseconds from the first to the last frame of the capture as it was recorded (gaps that go backwards count 0), before any speed-up.</summary>
    public long CaptureSpan { get; }
    /// <summary>Frames whose timestamp is earlier than the one before them (sent at once).</summary>
    public int Backwards { get; }

    /// <summary>
    /// The capture's own timing, <paramref name="speed"/> times as fast. Between passes it leaves the
    /// time the first frame takes at the capture's average bit rate, as nmreplay does (its first length
    /// over the bytes after it, times the capture's span; at 1 Gbit/s when the capture has one frame).
    /// </summary>
    /// <exception cref="NetmapException">No frames, or a speed that is not a positive number (InvalidRequest).</exception>
    public static ReplaySchedule FollowTimestamps(IReadOnlyList<long> timestamps, IReadOnlyList<int> lengths, double speed)
    {
        CheckPositive(speed, "speed", "2 replays twice as fast, 0.5 at half speed");
        int n = CheckFrames(timestamps.Count);
        var raw = new long[n];
        int backwards = 0;
        for (int i = 1; i < n; i++)
        {
            long gap = 0;
            if (timestamps[i] >= timestamps[i - 1])
            {
                ulong difference = (ulong)timestamps[i] - (ulong)timestamps[i - 1]; // exact even across the whole long range
                gap = difference > Never ? Never : (long)difference;
            }
            else backwards++;
            raw[i] = Math.Min(Never, raw[i - 1] + gap);
        }
        long span = raw[n - 1], bytesAfterFirst = 0;
        for (int i = 1; i < n; i++) bytesAfterFirst += lengths[i];
        double wrap = bytesAfterFirst > 0 ? (double)span * lengths[0] / bytesAfterFirst : lengths[0] * 8.0;
        var offsets = new long[n];
        for (int i = 0; i < n; i++) offsets[i] = Scale(raw[i], speed);
        return new ReplaySchedule(offsets, Scale(span + wrap, speed), span, backwards);
    }

    /// <summary>One frame every 1/<paramref name="rate"/> seconds, whatever the capture's timestamps, through every pass.</summary>
    /// <exception cref="NetmapException">No frames, or a rate that is not a positive number (InvalidRequest).</exception>
    public static ReplaySchedule AtRate(int frames, double rate, long captureSpan = 0)
    {
        CheckPositive(rate, "rate", "1000 sends 1000 frames a second");
        int n = CheckFrames(frames);
        var offsets = new long[n];
        for (int i = 0; i < n; i++) offsets[i] = Scale(i * 1e9, rate);
        return new ReplaySchedule(offsets, Scale(n * 1e9, rate), captureSpan, 0);
    }

    /// <summary>Nanoseconds after the replay began at which frame <paramref name="frame"/> of pass <paramref name="pass"/> (both from 0) is due; <see cref="Never"/> at most.</summary>
    public long Due(long pass, int frame)
    {
        long offset = _offsets[frame];
        if (pass <= 0 || Period == 0) return offset;
        return pass > (Never - offset) / Period ? Never : pass * Period + offset;
    }

    private static long Scale(double nanoseconds, double divisor)
    {
        double scaled = Math.Round(nanoseconds / divisor);
        return scaled >= Never ? Never : (long)scaled; // (double)Never rounds up: compare before converting
    }

    private static void CheckPositive(double value, string what, string example)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new NetmapException(NetmapError.InvalidRequest,
                FormattableString.Invariant($"A replay {what} of {value} is not possible; it must be a number above 0 ({example})."));
    }

    private static int CheckFrames(int count) => count > 0 ? count
        : throw new NetmapException(NetmapError.InvalidRequest, "The capture holds no frames; there is nothing to replay.");
}
