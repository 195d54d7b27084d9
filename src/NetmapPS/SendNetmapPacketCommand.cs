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
    private TransmitSession[]? _sessions;
    private FrameVariation? _fields;
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

    /// <summary>Write one object at the end (packets, bytes, seconds, packets per second), shown as pkt-gen's report lines.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>Send on this many TX rings of the port at once, one thread each (pkt-gen's -p); -Count is shared among them.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Threads { get; set; } = 1;

    /// <summary>Rewrite the source IPv4 address of each frame: one address, or a range, list or prefix that the frames step through (pkt-gen's -s: 10.0.0.1-10.0.0.9:1234-1240).</summary>
    [Parameter]
    public string[]? SourceAddress { get; set; }

    /// <summary>Rewrite the destination IPv4 address (pkt-gen's -d), as -SourceAddress.</summary>
    [Parameter]
    public string[]? DestinationAddress { get; set; }

    /// <summary>Rewrite the UDP source port: one, or a range (1234-1240) or list.</summary>
    [Parameter]
    public string[]? SourcePort { get; set; }

    /// <summary>Rewrite the UDP destination port: one, or a range or list.</summary>
    [Parameter]
    public string[]? DestinationPort { get; set; }

    /// <summary>Rewrite the source MAC: one, or a range (02:00:00:00:00:01-02:00:00:00:00:09) or list.</summary>
    [Parameter]
    public string[]? SourceMac { get; set; }

    /// <summary>Rewrite the destination MAC: one, or a range or list.</summary>
    [Parameter]
    public string[]? DestinationMac { get; set; }

    /// <summary>Send frames of these lengths (60-1500, or a list), the UDP payload padded with zeros (pkt-gen's -l).</summary>
    [Parameter]
    public string[]? Length { get; set; }

    /// <summary>Ranges and lists take their values at random rather than in turn.</summary>
    [Parameter]
    public SwitchParameter Random { get; set; }

    private int TimeoutMs => Timeout < 0 ? -1 : (int)Math.Min(int.MaxValue, Timeout * 1000);
    private List<byte>? _loose;

    protected override void BeginProcessing()
    {
        try
        {
            _fields = GeneratorParameters.Read(SourceAddress, DestinationAddress, SourcePort, DestinationPort, SourceMac, DestinationMac, Length, Random, overwrite: true).Variation;
        }
        catch (Exception e) when (e is NetmapException or FormatException)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorId.InvalidPacketParameter, null));
        }
        try
        {
            if (HostRing && Port.HostTxRingCount == 0)
                throw new NetmapException(NetmapError.InvalidRequest, Words.Format(Strings.NoHostTxRing, Port.Name));
            if (Duration >= 0 && !MyInvocation.BoundParameters.ContainsKey(nameof(Count))) Count = long.MaxValue;
            if (Threads > 1 && (Ring is not null || HostRing)) throw new NetmapException(NetmapError.InvalidRequest, Strings.ThreadsWithRing);
            if (Threads > Port.TxRings.Count)
                throw new NetmapException(NetmapError.InvalidRequest, Words.Format(Strings.ThreadsNeedRings, Port.Name, Port.TxRings.Count, Port.TxRings, Threads));
            var options = new TransmitOptions
            {
                Rate = Rate / Threads, Burst = Burst, SequenceOffset = Sequence ? SequenceOffset : -1, TimeoutMs = TimeoutMs, Duration = Duration,
            };
            _sessions = Threads == 1
                ? [new TransmitSession(Port, HostRing ? Port.TxRingCount + (Ring ?? 0) : Ring, options)]
                : Enumerable.Range(0, Threads).Select(i => new TransmitSession(Port, Port.TxRings.First + (uint)i, options)).ToArray();
            _use = Lease(_sessions.Select(t => new RingUse(Port, default, new RingSpan(t.Ring, t.Ring + 1))));
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
        byte[]? frame = FrameInput.Of(input);
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
        FrameGenerator[]? generators;
        try
        {
            generators = VariationOf(input) is { } variation
                ? _sessions!.Select((_, i) => new FrameGenerator(frame, variation, seed: (ulong)Environment.TickCount64 * 2654435761UL + (ulong)i + 1)).ToArray()
                : null;
        }
        catch (NetmapException e)
        {
            WriteError(ErrorRecords.Create(e, ErrorId.InvalidPacketParameter, input)); // a frame the ranges do not fit (not IPv4/UDP, too long for a length)
            return;
        }
        try
        {
            var outcome = Transmit(frame, generators);
            if (outcome == TransmitOutcome.TimedOut)
            {
                ThrowIfClosed(Port);
                ThrowTerminatingError(ErrorRecords.Create(new TimeoutException(Words.Format(Strings.TransmitTimeout, Port.Name, Timeout, _sessions!.Sum(t => t.Sent))),
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

    /// <summary>
    /// Sends the frame -Count times, or the frames of its variation (every combination once when neither
    /// -Count nor -Duration says otherwise), on each session's ring, in parallel with -Threads.
    /// </summary>
    private TransmitOutcome Transmit(byte[] frame, FrameGenerator[]? generators)
    {
        long count = Count;
        if (generators is not null)
        {
            WriteVerbose(Words.Format(Strings.GeneratorFrames, Port.Name, generators[0].Variation, generators[0].Period));
            if (!MyInvocation.BoundParameters.ContainsKey(nameof(Count)) && Duration < 0) count = (long)Math.Min(generators[0].Period, long.MaxValue);
        }
        return TransmitSession.SendTogether(_sessions!, frame, generators, count, _use!.Token);
    }

    /// <summary>The fields to vary: the ones given here over the ones the packet carries (New-NetmapPacket with ranges).</summary>
    private FrameVariation? VariationOf(object input) =>
        (input is PSObject ps ? ps.BaseObject : input) is NetmapPacket { Variation: { } carried } ? _fields?.Over(carried) ?? carried : _fields;

    protected override void EndProcessing()
    {
        if (_sessions is null) return;
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
        if (!Port.IsOpen || _sessions is null) return;
        try
        {
            foreach (var session in _sessions)
                if (!_use!.Token.IsCancellationRequested && !session.Flush(TimeoutMs < 0 ? 5000 : TimeoutMs, _use.Token))
                    WriteWarning(Words.Format(Strings.FramesStillWaiting, Port.Name));
        }
        catch (NetmapException e)
        {
            WriteError(ErrorRecords.From(e, Port));
        }
        var report = TransmitSession.Report(Port.Name, _sessions);
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
}
