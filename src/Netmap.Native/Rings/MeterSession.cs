using System.Diagnostics;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>How long a <see cref="MeterSession"/> runs and how often it reports.</summary>
public sealed record MeterOptions
{
    /// <summary>Seconds between interval reports.</summary>
    public double Interval { get; init; } = 1;
    /// <summary>Seconds to run (-1: no limit).</summary>
    public double Duration { get; init; } = -1;
    /// <summary>Packets after which to stop (0: no limit).</summary>
    public long Count { get; init; }
    /// <summary>Stop when nothing arrived for this many seconds (-1: never).</summary>
    public double Timeout { get; init; } = -1;
    /// <summary>Where the sequence numbers are (-1: do not check them).</summary>
    public int SequenceOffset { get; init; } = -1;
    /// <summary>Spin on rxsync instead of sleeping in poll(2) when the rings are empty (<see cref="ReceiveWait"/>).</summary>
    public bool BusyWait { get; init; }
}

/// <summary>
/// pkt-gen rx's reporting loop: a <see cref="TrafficMeter"/> polled until a count, a duration, a
/// silence or a cancellation ends it, with a report for every interval and one for the whole run.
/// </summary>
public sealed class MeterSession(NetmapPort port, MeterOptions options)
{
    private readonly TrafficMeter _meter = new(port, options.SequenceOffset, options.BusyWait);
    private readonly Stopwatch _clock = new();

    /// <summary>
    /// Counts until done, handing each interval's report to <paramref name="interval"/> (on this thread).
    /// The last frames counted go back to the sender at the end.
    /// </summary>
    /// <exception cref="NetmapException">The port closed (Closed), or the peer of a pipe went away (PeerGone); <see cref="Total"/> still says what was counted.</exception>
    public void Run(Action<TrafficReport> interval, CancellationToken cancel)
    {
        _clock.Start();
        double lastReport = 0, lastPacket = 0;
        long packetsAt = 0, bytesAt = 0, batchesAt = 0;
        while (!cancel.IsCancellationRequested)
        {
            double now = _clock.Elapsed.TotalSeconds;
            if (options.Duration >= 0 && now >= options.Duration) break;
            if (options.Count > 0 && _meter.Packets >= options.Count) break;
            if (options.Timeout >= 0 && now - lastPacket >= options.Timeout) break;
            long got = _meter.Poll(50, cancel);
            if (got > 0)
            {
                lastPacket = _clock.Elapsed.TotalSeconds;
                port.Statistics.AddReceive(got, got, got);
            }
            now = _clock.Elapsed.TotalSeconds;
            if (now - lastReport >= options.Interval)
            {
                interval(Report(now - lastReport, _meter.Packets - packetsAt, _meter.Bytes - bytesAt, _meter.Batches - batchesAt, false));
                (lastReport, packetsAt, bytesAt, batchesAt) = (now, _meter.Packets, _meter.Bytes, _meter.Batches);
            }
        }
        if (port.IsOpen) _meter.Release(); // the last frames counted go back to the sender now, not at the next loop's first wait
    }

    /// <summary>The report of the whole run so far.</summary>
    public TrafficReport Total() => Report(_clock.Elapsed.TotalSeconds, _meter.Packets, _meter.Bytes, _meter.Batches, true);

    private TrafficReport Report(double seconds, long packets, long bytes, long batches, bool total) =>
        new(port.Name, DateTime.Now, seconds, packets, bytes, seconds > 0 ? packets / seconds : 0, seconds > 0 ? bytes * 8 / seconds : 0,
            batches > 0 ? (double)packets / batches : 0, _meter.Gaps, _meter.Reordered, total);
}
