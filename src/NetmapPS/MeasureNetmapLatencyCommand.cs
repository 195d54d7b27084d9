using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace NetmapPS;

/// <summary>
/// The ping of pkt-gen: sends timestamped probes out of one port, one at a time, and takes each back on
/// another (or on the same port, behind an echo on the far side); reports the round trips.
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "NetmapLatency")]
[OutputType(typeof(LatencyReport))]
public sealed class MeasureNetmapLatencyCommand : LoopCommand
{
    /// <summary>The port the probes go out of.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [PortTransformation]
    public NetmapPort Port { get; set; } = null!;

    /// <summary>The port they come back on (default: the same port).</summary>
    [Parameter(Position = 1)]
    [PortTransformation]
    public NetmapPort? ReturnPort { get; set; }

    /// <summary>Probes to send (default 100).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Count { get; set; } = 100;

    /// <summary>Seconds to wait for each probe before it counts as lost (default 1).</summary>
    [Parameter]
    [ValidateRange(0.001, 3600)]
    public double Timeout { get; set; } = 1;

    /// <summary>Seconds from one probe to the next (default 0: the next as soon as one is back).</summary>
    [Parameter]
    [ValidateRange(0, 3600)]
    public double Interval { get; set; }

    /// <summary>The probe frame: byte[] or a packet (default: a 60-byte UDP frame to port 7).</summary>
    [Parameter]
    public object? Packet { get; set; }

    /// <summary>Where the 16-byte stamp goes in the frame (default 42: the start of an IPv4/UDP payload).</summary>
    [Parameter]
    [ValidateRange(0, 65519)]
    public int Offset { get; set; } = LatencyProbe.DefaultOffset;

    protected override void ProcessRecord()
    {
        var back = ReturnPort ?? Port;
        byte[]? frame = Packet is null ? PacketBuilder.Build(new PacketRecipe { DestinationPort = 7, Length = 60 }) : FrameInput.Of(Packet);
        if (frame is null)
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(Strings.LatencyPacketNotAFrame), ErrorId.NotAFrame, Packet));
        try
        {
            var rings = back == Port
                ? new[] { new RingUse(Port, Port.RxRings, new RingSpan(Port.TxRings.First, Port.TxRings.First + 1)) }
                : [new RingUse(Port, default, new RingSpan(Port.TxRings.First, Port.TxRings.First + 1)), new RingUse(back, back.RxRings, default)];
            using var use = Lease(rings);
            var probe = new LatencyProbe(Port, back, frame!, Offset);
            WriteVerbose(Words.Format(Strings.LatencyProbing, Count, Port.Name, back.Name, frame!.Length, Offset));
            var report = probe.Run(Count, (int)(Timeout * 1000), Interval * 1000, use.Token);
            ThrowIfClosed(Port, back);
            WriteObject(report);
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Port));
        }
    }
}
