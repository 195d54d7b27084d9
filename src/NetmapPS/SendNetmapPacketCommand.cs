using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace NetmapPS;

/// <summary>
/// Transmits frames on a port: byte arrays, or packet objects (their Data), from the pipeline. Waits
/// for room in the TX ring rather than dropping.
/// </summary>
[Cmdlet(VerbsCommunications.Send, "NetmapPacket", SupportsShouldProcess = true)]
public sealed class SendNetmapPacketCommand : LoopCommand, IDisposable
{
    private TransmitSession? _session;
    private PortUse? _use;

    [Parameter(Mandatory = true, Position = 0)]
    [PortTransformation]
    public NetmapPort Port { get; set; } = null!;

    /// <summary>A frame: byte[], or an object with a Data property holding one. Pipe arrays as ,$bytes.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public object InputObject { get; set; } = null!;

    /// <summary>The TX ring to use (default: the first the port holds).</summary>
    [Parameter]
    public uint? Ring { get; set; }

    /// <summary>Send on the host TX ring: the frames enter the host stack as if received on the interface.</summary>
    [Parameter]
    public SwitchParameter HostRing { get; set; }

    /// <summary>Seconds to wait for room in the ring before giving up (default: wait until stopped).</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double Timeout { get; set; } = -1;

    /// <summary>Send each frame this many times.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long Count { get; set; } = 1;

    /// <summary>Stop sending after this many seconds; without -Count, each frame is sent until then.</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double Duration { get; set; } = -1;

    /// <summary>Pace the transmission to this many packets per second.</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double Rate { get; set; }

    /// <summary>Hand the ring over (txsync) after this many frames, as pkt-gen's -b does (default: when the ring is full).</summary>
    [Parameter]
    [ValidateRange(1, 65536)]
    public int Burst { get; set; }

    /// <summary>Write a sequence number (0, 1, 2...) into each frame sent, for Measure-NetmapTraffic -Sequence.</summary>
    [Parameter]
    public SwitchParameter Sequence { get; set; }

    /// <summary>Where the sequence number goes (default 42: the start of an IPv4/UDP payload).</summary>
    [Parameter]
    [ValidateRange(0, 65531)]
    public int SequenceOffset { get; set; } = SequenceStamp.DefaultOffset;

    /// <summary>Pass each input object on down the pipeline once it is sent.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Write one object at the end: packets, bytes, seconds, packets per second.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    private int TimeoutMs => Timeout < 0 ? -1 : (int)Math.Min(int.MaxValue, Timeout * 1000);
    private List<byte>? _loose;

    protected override void BeginProcessing()
    {
        try
        {
            if (HostRing && Port.HostTxRingCount == 0)
                throw new NetmapException(NetmapError.InvalidRequest, Words.Format(Strings.NoHostTxRing, Port.Name));
            if (Duration >= 0 && !MyInvocation.BoundParameters.ContainsKey(nameof(Count))) Count = long.MaxValue;
            _session = new TransmitSession(Port, HostRing ? Port.TxRingCount + (Ring ?? 0) : Ring, new TransmitOptions
            {
                Rate = Rate, Burst = Burst, SequenceOffset = Sequence ? SequenceOffset : -1, TimeoutMs = TimeoutMs, Duration = Duration,
            });
            _use = Lease([new RingUse(Port, default, new RingSpan(_session.Ring, _session.Ring + 1))]);
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Port));
        }
    }

    protected override void ProcessRecord()
    {
        // '$bytes | Send-NetmapPacket' (without the leading comma) pipes the bytes one by one: they are
        // gathered and sent as one frame when something else comes or the input ends.
        if ((InputObject is PSObject ps ? ps.BaseObject : InputObject) is byte single)
        {
            (_loose ??= new List<byte>()).Add(single);
            return;
        }
        SendLooseBytes();
        Send(InputObject);
    }

    private void SendLooseBytes()
    {
        if (_loose is not { Count: > 0 }) return;
        byte[] frame = _loose.ToArray();
        _loose.Clear();
        WriteVerbose(Words.Format(Strings.LooseBytesAsFrame, frame.Length));
        Send(frame);
    }

    private void Send(object input)
    {
        byte[]? frame = FrameOf(input);
        if (frame is null)
        {
            WriteError(ErrorRecords.Create(new ArgumentException(Words.Format(Strings.NotAFrame, (input is PSObject ps ? ps.BaseObject : input)?.GetType().Name ?? "null")),
                ErrorId.NotAFrame, input));
            return;
        }
        if (LinkTypeOf(input) is { } linkType && linkType != Port.LinkType)
        {
            // an imported raw-IP or Linux-cooked packet would go out as a broken Ethernet frame
            WriteError(ErrorRecords.Create(new ArgumentException(Words.Format(Strings.NotEthernet, linkType, Port.Name, Port.LinkType)), ErrorId.NotAFrame, input));
            return;
        }
        if (!ShouldProcess(Port.Name, Words.Format(Strings.SendAction, frame.Length, Count > 1 ? Words.Format(Strings.SendActionTimes, Count) : "", HostRing ? Strings.SendActionHostStack : ""))) return;
        try
        {
            var outcome = _session!.Send(frame, Count, _use!.Token);
            if (outcome == TransmitOutcome.TimedOut)
            {
                ThrowIfClosed(Port);
                ThrowTerminatingError(ErrorRecords.Create(new TimeoutException(Words.Format(Strings.TransmitTimeout, Port.Name, Timeout, _session.Sent)),
                    ErrorId.TransmitTimeout, Port));
            }
            if (outcome == TransmitOutcome.Stopped) ThrowIfClosed(Port);
            else if (PassThru) WriteObject(input);
        }
        catch (NetmapException e)
        {
            WriteError(ErrorRecords.From(e, Port));
            if (e.Error == NetmapError.PeerGone) Stop(); // one error, not one per frame still coming
        }
    }

    protected override void EndProcessing()
    {
        if (_session is null) return;
        try
        {
            SendLooseBytes();
            Finish();
        }
        finally
        {
            Dispose();
        }
    }

    private void Finish()
    {
        if (!Port.IsOpen || _session is null) return;
        try
        {
            if (!_use!.Token.IsCancellationRequested && !_session.Flush(TimeoutMs < 0 ? 5000 : TimeoutMs, _use.Token))
                WriteWarning(Words.Format(Strings.FramesStillWaiting, Port.Name));
        }
        catch (NetmapException e)
        {
            WriteError(ErrorRecords.From(e, Port));
        }
        var report = _session.Report();
        WriteVerbose(Words.Format(Strings.SentTotals, report.Packets, report.Bytes, Port.Name, report.Seconds));
        if (Summary) WriteObject(report);
    }

    /// <summary>Lets the port go (also when the pipeline was stopped and EndProcessing never ran).</summary>
    public void Dispose()
    {
        _use?.Dispose();
        _use = null;
    }

    /// <summary>The link type a packet object says its Data has (LINKTYPE_ value), or null when it says none (byte arrays).</summary>
    private static int? LinkTypeOf(object input)
    {
        object value = input is PSObject ps ? ps.BaseObject : input;
        if (value is NetmapPacket packet) return packet.LinkType;
        if (value is byte[] or object[]) return null;
        // a packet that went through Export-Clixml or a remote session: a property bag with the same LinkType
        return PSObject.AsPSObject(value).Properties["LinkType"]?.Value is { } link && LanguagePrimitives.TryConvertTo(link, out int type) ? type : null;
    }

    private static byte[]? FrameOf(object input)
    {
        object value = input is PSObject ps ? ps.BaseObject : input;
        return value switch
        {
            byte[] bytes => bytes,
            NetmapPacket packet => packet.Data,
            // Arrays joined with + in PowerShell become object[]: take them when every element is a byte value.
            object[] items => LanguagePrimitives.TryConvertTo(items, out byte[] converted) ? converted : null,
            _ => PSObject.AsPSObject(value).Properties["Data"]?.Value is var data
                 && (data is PSObject d ? d.BaseObject : data) is byte[] b ? b : null,
        };
    }
}
