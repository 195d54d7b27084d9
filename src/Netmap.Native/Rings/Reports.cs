namespace Netmap.Native.Rings;

/// <summary>One interval of Measure-NetmapTraffic, or (IsTotal) the whole run.</summary>
public sealed record TrafficReport(string Port, DateTime Time, double Seconds, long Packets, long Bytes, double PacketsPerSecond,
    double BitsPerSecond, double AverageBatch, long Gaps, long Reordered, bool IsTotal);

/// <summary>What Invoke-NetmapForward moved.</summary>
public sealed record ForwardReport(string From, string To, bool ZeroCopy, long Forwarded, long Filtered, double Seconds, double PacketsPerSecond);

/// <summary>What Send-NetmapPacket transmitted.</summary>
public sealed record SendReport(string Port, long Packets, long Bytes, double Seconds, double PacketsPerSecond);

/// <summary>Paces a sender to a rate in packets per second (a token bucket that never lets a burst build up).</summary>
public sealed class Pacer(double packetsPerSecond)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _sent;

    /// <summary>
    /// Waits until the next packet is due (or <paramref name="cancel"/>). Spins for waits under a
    /// millisecond; longer ones sleep in slices of at most 50 ms on the token, so that Ctrl+C ends even
    /// the wait of a rate of one packet a year.
    /// </summary>
    public void Next(CancellationToken cancel = default)
    {
        if (packetsPerSecond <= 0) return;
        double due = _sent++ / packetsPerSecond;
        while (!cancel.IsCancellationRequested)
        {
            double left = due - _clock.Elapsed.TotalSeconds;
            if (left <= 0) return;
            if (left > 0.002) cancel.WaitHandle.WaitOne((int)Math.Min(50, (left - 0.001) * 1000));
            else Thread.SpinWait(50);
        }
    }
}
