namespace Netmap.Native.Rings;

/// <summary>
/// Deadlines on <see cref="Environment.TickCount64"/>, the one place that turns a timeout into one:
/// a negative timeout never ends, and a huge one (1e300 seconds) waits "forever" instead of
/// overflowing into the past.
/// </summary>
public static class Deadline
{
    /// <summary>Far enough to be never, near enough that adding to it cannot overflow.</summary>
    public const long Never = long.MaxValue / 2;

    /// <summary>The tick count <paramref name="seconds"/> from now; <see cref="Never"/> for a negative, infinite or huge value.</summary>
    public static long After(double seconds) =>
        seconds < 0 || double.IsNaN(seconds) || seconds * 1000 >= Never / 2 ? Never : Environment.TickCount64 + (long)(seconds * 1000);

    /// <summary>The tick count <paramref name="timeoutMs"/> from now; <see cref="Never"/> for a negative timeout.</summary>
    public static long AfterMs(long timeoutMs) => timeoutMs < 0 ? Never : Environment.TickCount64 + timeoutMs;

    /// <summary>
    /// Waits for the <see cref="System.Diagnostics.Stopwatch"/> timestamp <paramref name="due"/>: sleeps of at most 50 ms
    /// on the token while it is 2 ms away or more (a sleep may overshoot by a millisecond), spinning after. False when cancelled.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool WaitForTimestamp(long due, CancellationToken cancel)
    {
        long frequency = System.Diagnostics.Stopwatch.Frequency, spinBelow = frequency / 500, perMs = Math.Max(1, frequency / 1000);
        while (true)
        {
            if (cancel.IsCancellationRequested) return false;
            long left = due - System.Diagnostics.Stopwatch.GetTimestamp();
            if (left <= 0) return true;
            if (left >= spinBelow) cancel.WaitHandle.WaitOne((int)Math.Min(50, (left - spinBelow) / perMs + 1));
            else Thread.SpinWait(20);
        }
    }

    /// <summary>Milliseconds left until <paramref name="deadline"/>, at most <paramref name="max"/> (0 when it has passed).</summary>
    public static int Left(long deadline, int max = int.MaxValue) => (int)Math.Clamp(deadline - Environment.TickCount64, 0, max);
}
