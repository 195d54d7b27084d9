using System.Diagnostics;
using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace NetmapPS;

/// <summary>
/// The pkt-gen rx of PowerShell: counts packets and bytes arriving on a port and reports packets
/// per second, bits per second and the average batch for every interval, then the totals. With
/// -Sequence it checks the numbers Send-NetmapPacket -Sequence wrote: gaps and reordering.
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "NetmapTraffic")]
[OutputType(typeof(TrafficReport))]
public sealed class MeasureNetmapTrafficCommand : PSCmdlet
{
    private readonly CancellationTokenSource _stop = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [PortTransformation]
    public NetmapPort Port { get; set; } = null!;

    /// <summary>Seconds between reports (default 1).</summary>
    [Parameter]
    [ValidateRange(0.05, 3600)]
    public double Interval { get; set; } = 1;

    /// <summary>Stop after this many seconds.</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double Duration { get; set; } = -1;

    /// <summary>Stop after this many packets.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long Count { get; set; }

    /// <summary>Stop when nothing arrived for this many seconds.</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double Timeout { get; set; } = -1;

    /// <summary>Check the sequence numbers written by Send-NetmapPacket -Sequence.</summary>
    [Parameter]
    public SwitchParameter Sequence { get; set; }

    /// <summary>Where the sequence number is in the frame (default 42: the start of an IPv4/UDP payload).</summary>
    [Parameter]
    [ValidateRange(0, 65531)]
    public int SequenceOffset { get; set; } = SequenceStamp.DefaultOffset;

    /// <summary>Only the totals at the end, no per-interval reports.</summary>
    [Parameter]
    public SwitchParameter TotalOnly { get; set; }

    protected override void ProcessRecord()
    {
        var meter = new TrafficMeter(Port, Sequence ? SequenceOffset : -1);
        var clock = Stopwatch.StartNew();
        double lastReport = 0, lastPacket = 0;
        long packetsAt = 0, bytesAt = 0, batchesAt = 0;
        var progress = new ProgressRecord(2, MyInvocation.MyCommand.Name, Words.Format(Strings.MeasureProgress, Port.Name));
        try
        {
            using var use = new PortUse([new RingUse(Port, Port.RxRings, default)], "Measure-NetmapTraffic", _stop.Token);
            while (!use.Token.IsCancellationRequested)
            {
                double now = clock.Elapsed.TotalSeconds;
                if (Duration >= 0 && now >= Duration) break;
                if (Count > 0 && meter.Packets >= Count) break;
                if (Timeout >= 0 && now - lastPacket >= Timeout) break;
                if (meter.Poll(50, use.Token) > 0) lastPacket = clock.Elapsed.TotalSeconds;
                now = clock.Elapsed.TotalSeconds;
                if (now - lastReport >= Interval)
                {
                    var report = Report(meter, now - lastReport, meter.Packets - packetsAt, meter.Bytes - bytesAt, meter.Batches - batchesAt, false);
                    if (!TotalOnly) WriteObject(report);
                    progress.StatusDescription = Words.Format(Strings.MeasureProgressRate, report.PacketsPerSecond, report.BitsPerSecond / 1e6, meter.Packets);
                    WriteProgress(progress);
                    (lastReport, packetsAt, bytesAt, batchesAt) = (now, meter.Packets, meter.Bytes, meter.Batches);
                }
            }
            if (!Port.IsOpen) throw new NetmapException(NetmapError.Closed, Words.Format(Strings.PortClosedDuringUse, Port.Name, MyInvocation.MyCommand.Name));
            meter.Release(); // the last frames counted go back to the sender now, not at the next loop's first wait
        }
        catch (NetmapException e) when (e.Error == NetmapError.PeerGone)
        {
            WriteError(ErrorRecords.From(e, Port)); // the total so far still follows
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Port));
        }
        WriteObject(Report(meter, clock.Elapsed.TotalSeconds, meter.Packets, meter.Bytes, meter.Batches, true));
    }

    private TrafficReport Report(TrafficMeter m, double seconds, long packets, long bytes, long batches, bool total) =>
        new(Port.Name, DateTime.Now, seconds, packets, bytes, seconds > 0 ? packets / seconds : 0, seconds > 0 ? bytes * 8 / seconds : 0,
            batches > 0 ? (double)packets / batches : 0, m.Gaps, m.Reordered, total);

    protected override void StopProcessing() => _stop.Cancel();
}
