using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Capture;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace NetmapPS;

/// <summary>
/// Transmits frames on a port: byte arrays, or packet objects (their Data), from the pipeline. Waits
/// for room in the TX ring rather than dropping. With -Replay, sends a capture with its own timing
/// (nmreplay): the engine's <see cref="ReplaySession"/> keeps the schedule.
/// </summary>
[Cmdlet(VerbsCommunications.Send, "NetmapPacket", SupportsShouldProcess = true, DefaultParameterSetName = FramesSet)]
[OutputType(typeof(SendReport), ParameterSetName = [FramesSet])]
[OutputType(typeof(ReplayReport), ParameterSetName = [ReplaySet])]
public sealed class SendNetmapPacketCommand : LoopCommand, IDisposable
{
    private const string FramesSet = "Frames", ReplaySet = "Replay";
    private TransmitSession[]? _sessions;
    private ReplayFrames? _replay;
    private FrameVariation? _fields;
    private PortUse? _use;

    [Parameter(Mandatory = true, Position = 0)]
    [PortTransformation]
    public NetmapPort Port { get; set; } = null!;

    /// <summary>A frame: byte[], or an object with a Data property holding one. Pipe arrays as ,$bytes. With -Replay: the packets of a capture (Import-NetmapCapture), with their timestamps.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = FramesSet)]
    [Parameter(ValueFromPipeline = true, ParameterSetName = ReplaySet)]
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
    [Parameter(ParameterSetName = FramesSet)]
    [ValidateRange(1, long.MaxValue)]
    public long Count { get; set; } = 1;

    /// <summary>Stop sending after this many seconds; without -Count, each frame is sent until then.</summary>
    [Parameter(ParameterSetName = FramesSet)]
    [ValidateRange(0, double.MaxValue)]
    public double Duration { get; set; } = -1;

    /// <summary>Pace the transmission to this many packets per second.</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double Rate { get; set; }

    /// <summary>Hand the ring over (txsync) after this many frames, as pkt-gen's -b does (default: when the ring is full).</summary>
    [Parameter(ParameterSetName = FramesSet)]
    [ValidateRange(1, 65536)]
    public int Burst { get; set; }

    /// <summary>Write a sequence number (0, 1, 2...) into each frame sent, for Measure-NetmapTraffic -Sequence.</summary>
    [Parameter(ParameterSetName = FramesSet)]
    public SwitchParameter Sequence { get; set; }

    /// <summary>
    /// Write the frame into each TX buffer once and send later turns of the ring from what the buffer holds,
    /// unless the kernel gave the slot another buffer (pkt-gen tx's default). Only for one fixed frame; a
    /// receiver that writes into its buffers in place (a pipe's other end may) changes what later turns send.
    /// </summary>
    [Parameter(ParameterSetName = FramesSet)]
    public SwitchParameter ReuseBuffers { get; set; }

    /// <summary>Where the sequence number goes (default 42: the start of an IPv4/UDP payload).</summary>
    [Parameter(ParameterSetName = FramesSet)]
    [ValidateRange(0, 65531)]
    public int SequenceOffset { get; set; } = SequenceStamp.DefaultOffset;

    /// <summary>Pass each input object on down the pipeline once it is sent.</summary>
    [Parameter(ParameterSetName = FramesSet)]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Write one object at the end (packets, bytes, seconds, packets per second), shown as pkt-gen's report lines.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>Send on this many TX rings of the port at once, one thread each (pkt-gen's -p); -Count is shared among them.</summary>
    [Parameter(ParameterSetName = FramesSet)]
    [ValidateRange(1, 64)]
    public int Threads { get; set; } = 1;

    /// <summary>Rewrite the source IPv4 address of each frame: one address, or a range, list or prefix that the frames step through (pkt-gen's -s: 10.0.0.1-10.0.0.9:1234-1240).</summary>
    [Parameter(ParameterSetName = FramesSet)]
    public string[]? SourceAddress { get; set; }

    /// <summary>Rewrite the destination IPv4 address (pkt-gen's -d), as -SourceAddress.</summary>
    [Parameter(ParameterSetName = FramesSet)]
    public string[]? DestinationAddress { get; set; }

    /// <summary>Rewrite the UDP source port: one, or a range (1234-1240) or list.</summary>
    [Parameter(ParameterSetName = FramesSet)]
    public string[]? SourcePort { get; set; }

    /// <summary>Rewrite the UDP destination port: one, or a range or list.</summary>
    [Parameter(ParameterSetName = FramesSet)]
    public string[]? DestinationPort { get; set; }

    /// <summary>Rewrite the source MAC: one, or a range (02:00:00:00:00:01-02:00:00:00:00:09) or list.</summary>
    [Parameter(ParameterSetName = FramesSet)]
    public string[]? SourceMac { get; set; }

    /// <summary>Rewrite the destination MAC: one, or a range or list.</summary>
    [Parameter(ParameterSetName = FramesSet)]
    public string[]? DestinationMac { get; set; }

    /// <summary>Send frames of these lengths (60-1500, or a list), the UDP payload padded with zeros (pkt-gen's -l).</summary>
    [Parameter(ParameterSetName = FramesSet)]
    public string[]? Length { get; set; }

    /// <summary>Ranges and lists take their values at random rather than in turn.</summary>
    [Parameter(ParameterSetName = FramesSet)]
    public SwitchParameter Random { get; set; }

    /// <summary>Replay a capture with its own timing (nmreplay): the file in -LiteralPath, or the packets piped in from Import-NetmapCapture.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ReplaySet)]
    public SwitchParameter Replay { get; set; }

    /// <summary>The pcap or pcapng file to replay, taken as it is written (no wildcards).</summary>
    [Parameter(ParameterSetName = ReplaySet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    /// <summary>Replay this many times as fast as captured (2: the gaps halved); not with -Rate.</summary>
    [Parameter(ParameterSetName = ReplaySet)]
    public double Speed { get; set; } = 1;

    /// <summary>Replay the capture this many times, one pass after the other.</summary>
    [Parameter(ParameterSetName = ReplaySet)]
    [ValidateRange(1, long.MaxValue)]
    public long Loop { get; set; } = 1;

    private int TimeoutMs => Timeout < 0 ? -1 : (int)Math.Min(int.MaxValue, Timeout * 1000);
    private List<byte>? _loose;

    protected override void BeginProcessing()
    {
        if (Replay)
        {
            // before any packet is gathered: a bad -Speed fails at once, not after reading a whole capture
            if (!(Speed > 0) || double.IsInfinity(Speed)) ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(Words.Format(Strings.ReplaySpeedNotPositive, Speed)), ErrorId.InvalidReplay, Speed));
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Speed)) && Rate > 0) ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(Strings.ReplaySpeedWithRate), ErrorId.InvalidReplay, Speed));
            return;
        }
        if (ReuseBuffers && Sequence) ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(Strings.ReuseBuffersWithSequence), ErrorId.InvalidPacketParameter, null));
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
                Rate = Rate / Threads, Burst = Burst, SequenceOffset = Sequence ? SequenceOffset : -1, TimeoutMs = TimeoutMs, Duration = Duration, ReuseBuffers = ReuseBuffers,
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
        if (Replay)
        {
            if (MyInvocation.ExpectingInput) Gather(InputObject);
            return;
        }
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
        if (ReuseBuffers && generators is not null)
        {
            WriteError(ErrorRecords.Create(new ArgumentException(Strings.ReuseBuffersWithRanges), ErrorId.InvalidPacketParameter, input));
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
        if (Replay)
        {
            try
            {
                ReplayCapture();
            }
            finally
            {
                Dispose();
            }
            return;
        }
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

    /// <summary>Takes a piped packet into the capture to replay, with its timestamp and link type.</summary>
    private void Gather(object input)
    {
        if (FrameInput.Of(input) is not { } frame)
        {
            WriteError(ErrorRecords.Create(new ArgumentException(Words.Format(Strings.NotAFrame, (input is PSObject ps ? ps.BaseObject : input)?.GetType().Name ?? "null")),
                ErrorId.NotAFrame, input));
            return;
        }
        try
        {
            (_replay ??= new ReplayFrames()).Add(frame, TimestampOf(input), LinkTypeOf(input) ?? Port.LinkType);
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorId.InvalidReplay, input));
        }
    }

    /// <summary>Replays the piped packets or the file: the schedule, the loop and the lateness are the engine's.</summary>
    private void ReplayCapture()
    {
        if (LiteralPath is not null && _replay is not null) ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(Strings.ReplayInputConflict), ErrorId.InvalidReplay, LiteralPath));
        var frames = LiteralPath is null ? _replay : ReadCapture(LiteralPath);
        if (frames is null) ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(Strings.ReplayNoInput), ErrorId.InvalidReplay, null));
        if (!frames!.HasTimestamps && Rate <= 0) ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(Strings.ReplayNeedsTimestamps), ErrorId.InvalidReplay, null));
        ReplaySession session;
        try
        {
            if (HostRing && Port.HostTxRingCount == 0)
                throw new NetmapException(NetmapError.InvalidRequest, Words.Format(Strings.NoHostTxRing, Port.Name));
            session = new ReplaySession(Port, HostRing ? Port.TxRingCount + (Ring ?? 0) : Ring,
                frames!, new ReplayOptions { Speed = Speed, Rate = Rate, Loops = Loop, TimeoutMs = TimeoutMs });
            if (!ShouldProcess(Port.Name, Words.Format(Strings.ReplayAction, frames!.Count, frames.Bytes, Loop, HostRing ? Strings.SendActionHostStack : ""))) return;
            _use = Lease([new RingUse(Port, default, new RingSpan(session.Ring, session.Ring + 1))]);
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(e.Error == NetmapError.InvalidRequest ? ErrorRecords.Create(e, ErrorId.InvalidReplay, frames) : ErrorRecords.From(e, Port));
            return;
        }
        try
        {
            var outcome = session.Run(_use.Token);
            if (outcome == TransmitOutcome.Stopped) ThrowIfClosed(Port);
            if (outcome == TransmitOutcome.TimedOut)
                WriteError(ErrorRecords.Create(new TimeoutException(Words.Format(Strings.TransmitTimeout, Port.Name, Timeout, session.Sent)), ErrorId.TransmitTimeout, Port));
            else if (!_use.Token.IsCancellationRequested && !session.Flush(TimeoutMs < 0 ? 5000 : TimeoutMs, _use.Token))
                WriteWarning(Words.Format(Strings.FramesStillWaiting, Port.Name));
        }
        catch (NetmapException e)
        {
            WriteError(ErrorRecords.From(e, Port));
        }
        var report = session.Report();
        WriteVerbose(Words.Format(Strings.ReplayTotals, report.Frames, report.Bytes, report.Loops, Port.Name, report.Seconds, report.ScheduledSeconds,
            report.MeanLateness * 1e6, report.MaxLateness * 1e6));
        if (Summary) WriteObject(report);
    }

    /// <summary>The frames of the capture file at <paramref name="path"/>; a terminating error when it is missing, unreadable or damaged (nothing is sent then).</summary>
    private ReplayFrames ReadCapture(string path)
    {
        string file = GetUnresolvedProviderPathFromPSPath(path);
        try
        {
            return ReplayFrames.Read(CaptureReader.Open(file));
        }
        catch (FileNotFoundException e)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorId.CaptureFileNotFound, path));
        }
        catch (CaptureFormatException e)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorId.CaptureFileCorrupt, path));
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorId.InvalidReplay, path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorId.CaptureFileNotReadable, path));
        }
        throw new InvalidOperationException(); // not reached: ThrowTerminatingError throws
    }

    /// <summary>The capture time a packet carries, in nanoseconds since 1970; null for a bare frame (byte arrays).</summary>
    private static long? TimestampOf(object input)
    {
        object value = input is PSObject ps ? ps.BaseObject : input;
        if (value is NetmapPacket packet) return packet.TimestampNanoseconds;
        if (value is byte[] or object[]) return null;
        // a packet that went through Export-Clixml or a remote session
        return PSObject.AsPSObject(value).Properties["TimestampNanoseconds"]?.Value is { } ns && LanguagePrimitives.TryConvertTo(ns, out long t) ? t : null;
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
