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
public sealed class MeasureNetmapTrafficCommand : LoopCommand
{

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

    /// <summary>When the rings are empty, spin on rxsync instead of sleeping in poll: lowest latency and most frames per second, one core kept busy.</summary>
    [Parameter]
    public SwitchParameter BusyWait { get; set; }

    /// <summary>Only the totals at the end, no per-interval reports.</summary>
    [Parameter]
    public SwitchParameter TotalOnly { get; set; }

    protected override void ProcessRecord()
    {
        var session = new MeterSession(Port, new MeterOptions
        {
            Interval = Interval, Duration = Duration, Count = Count, Timeout = Timeout, SequenceOffset = Sequence ? SequenceOffset : -1, BusyWait = BusyWait,
        });
        long total = 0;
        Progress(2, Words.Format(Strings.MeasureProgress, Port.Name), force: true);
        try
        {
            using var use = Lease([new RingUse(Port, Port.RxRings, default)]);
            session.Run(report =>
            {
                if (!TotalOnly) WriteObject(report);
                total += report.Packets;
                Progress(2, Words.Format(Strings.MeasureProgressRate, report.PacketsPerSecond, report.BitsPerSecond / 1e6, total), force: true);
            }, use.Token);
            ThrowIfClosed(Port);
        }
        catch (NetmapException e) when (e.Error == NetmapError.PeerGone)
        {
            WritePeerGone(e, Port); // the total so far still follows
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Port));
        }
        WriteObject(session.Total());
    }
}
