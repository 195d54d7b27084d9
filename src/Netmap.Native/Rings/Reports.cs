namespace Netmap.Native.Rings;

/// <summary>One interval of Measure-NetmapTraffic, or (IsTotal) the whole run.</summary>
public sealed record TrafficReport(string Port, DateTime Time, double Seconds, long Packets, long Bytes, double PacketsPerSecond,
    double BitsPerSecond, double AverageBatch, long Gaps, long Reordered, bool IsTotal);

/// <summary>What Invoke-NetmapForward moved.</summary>
public record ForwardReport(string From, string To, bool ZeroCopy, long Forwarded, long Filtered, double Seconds, double PacketsPerSecond);

/// <summary>
/// What one direction of an emulated link did (Invoke-NetmapForward -Delay, -Loss, ...): Forwarded
/// frames went out (copies included), of Offered taken in; Lost to the loss draw, QueueDrops over
/// the queue limit, Unsent still in the line when the run ended; delays in microseconds, from the
/// frame's arrival to its leaving; BitsPerSecond as the receiver sees it.
/// </summary>
public sealed record LinkReport(string From, string To, bool ZeroCopy, long Forwarded, long Filtered, double Seconds, double PacketsPerSecond)
    : ForwardReport(From, To, ZeroCopy, Forwarded, Filtered, Seconds, PacketsPerSecond)
{
    /// <summary>The seed of the direction's draws (Invoke-NetmapForward -Seed, the same both ways; the way back draws from seed + 1).</summary>
    public ulong Seed { get; init; }
    public long Offered { get; init; }
    public long Lost { get; init; }
    public long Duplicated { get; init; }
    public long QueueDrops { get; init; }
    public long Unsent { get; init; }
    /// <summary>Mean added delay, microseconds (NaN when nothing went out).</summary>
    public double MeanDelay { get; init; }
    /// <summary>Largest added delay, microseconds.</summary>
    public double MaxDelay { get; init; }
    /// <summary>Frame bits per second from the first frame out to the last (0 before two went out).</summary>
    public double BitsPerSecond { get; init; }
}

/// <summary>What a send transmitted; its text is pkt-gen's report of a tx run.</summary>
public sealed record SendReport(string Port, long Packets, long Bytes, double Seconds, double PacketsPerSecond)
{
    /// <summary>Ethernet framing and CRC per frame on the wire, in bits (preamble, inter-frame gap, FCS: pkt-gen -B).</summary>
    public const int FramingBits = 24 * 8;

    /// <summary>Syncs made (pkt-gen's "events").</summary>
    public long Syncs { get; init; }
    /// <summary>TX rings sent on in parallel (one per thread).</summary>
    public int Rings { get; init; } = 1;
    public double BitsPerSecond => Seconds > 0 ? Bytes * 8 / Seconds : 0;
    /// <summary>Frames per sync.</summary>
    public double AverageBatch => Syncs > 0 ? (double)Packets / Syncs : 0;

    /// <summary>The two lines pkt-gen prints at the end of a tx run (its "Sent nothing." when nothing was).</summary>
    public override string ToString()
    {
        if (Packets == 0) return "Sent nothing.";
        double seconds = Seconds > 0 ? Seconds : 1e-6;
        return FormattableString.Invariant($"Sent {Packets} packets {Bytes} bytes {Syncs} events {Bytes / Packets} bytes each in {Seconds:F2} seconds.") + Environment.NewLine +
               FormattableString.Invariant($"Speed: {Units(Packets / seconds)}pps Bandwidth: {Units(Bytes * 8 / seconds)}bps (raw {Units((Bytes * 8.0 + Packets * FramingBits) / seconds)}bps). Average batch: {AverageBatch:F2} pkts");
    }

    /// <summary>pkt-gen's norm(): three decimals and K, M, G or T.</summary>
    private static string Units(double value)
    {
        string[] units = ["", "K", "M", "G", "T"];
        int i = 0;
        for (; value >= 1000 && i < units.Length - 1; i++) value /= 1000;
        return FormattableString.Invariant($"{value:F3} {units[i]}");
    }
}

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
