using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Filters;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace NetmapPS;

/// <summary>
/// Forwards what arrives on one port to another in a compiled loop (not packet by packet through the
/// pipeline): matching packets go on, the rest are dropped; buffers are swapped when both ports share
/// a memory region, copied otherwise. -Bidirectional forwards both ways; -AsJob runs it in the background.
/// -Delay, -Jitter, -Loss, -Duplicate, -Bandwidth and -QueueLimit emulate a link (tlem), each direction
/// reported apart (<see cref="LinkReport"/>).
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "NetmapForward", SupportsShouldProcess = true, DefaultParameterSetName = "Forward")]
[OutputType(typeof(ForwardReport), typeof(LinkReport), typeof(Job))]
public sealed class InvokeNetmapForwardCommand : LoopCommand
{

    [Parameter(Mandatory = true, Position = 0)]
    [PortTransformation]
    public NetmapPort From { get; set; } = null!;

    /// <summary>Where the frames go; with -Echo, where the answers go (default: back out of -From).</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = "Forward")]
    [Parameter(Position = 1, ParameterSetName = "Echo")]
    [PortTransformation]
    public NetmapPort To { get; set; } = null!;

    /// <summary>Answer each frame instead of forwarding it: MACs, addresses and ports swapped, as pkt-gen's pong.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Echo")]
    public SwitchParameter Echo { get; set; }

    /// <summary>A pcap-filter expression; packets it rejects are dropped.</summary>
    [Parameter]
    public string? Filter { get; set; }

    /// <summary>Stop after forwarding this many packets (each way).</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long Count { get; set; }

    /// <summary>Stop after this many seconds.</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double Duration { get; set; } = -1;

    /// <summary>Also forward from -To back to -From.</summary>
    [Parameter(ParameterSetName = "Forward")]
    public SwitchParameter Bidirectional { get; set; }

    /// <summary>When the rings are empty, spin on rxsync instead of sleeping in poll: lowest latency and most frames per second, one core kept busy.</summary>
    [Parameter]
    public SwitchParameter BusyWait { get; set; }

    /// <summary>Added delay per frame: '5ms', '200us', '1.5s' (a bare number is milliseconds); two values: From to To, To to From.</summary>
    [Parameter(ParameterSetName = "Forward")]
    public string[]? Delay { get; set; }

    /// <summary>Uniform jitter: each frame's delay is -Delay plus a draw in [-Jitter, +Jitter]; frames keep their order.</summary>
    [Parameter(ParameterSetName = "Forward")]
    public string[]? Jitter { get; set; }

    /// <summary>Probability (0 to 1, or '20%') that a frame is dropped.</summary>
    [Parameter(ParameterSetName = "Forward")]
    public string[]? Loss { get; set; }

    /// <summary>Probability (0 to 1, or '1%') that a frame goes out twice.</summary>
    [Parameter(ParameterSetName = "Forward")]
    public string[]? Duplicate { get; set; }

    /// <summary>The link's rate in bits per second of frame bytes: '10M', '1G', '64k'.</summary>
    [Parameter(ParameterSetName = "Forward")]
    public string[]? Bandwidth { get; set; }

    /// <summary>Frames each direction of the link holds at once; one more is dropped (QueueDrops).</summary>
    [Parameter(ParameterSetName = "Forward")]
    [ValidateRange(1, LinkProfile.MaxQueueLimit)]
    public int QueueLimit { get; set; } = LinkProfile.DefaultQueueLimit;

    /// <summary>The seed of the link's draws (loss, duplication, jitter): the same seed gives the same decisions to the same frames.</summary>
    [Parameter(ParameterSetName = "Forward")]
    public int Seed { get; set; }

    /// <summary>Run in the background as a job (Get-Job, Receive-Job, Stop-Job).</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    protected override void EndProcessing()
    {
        To ??= From; // -Echo without -To answers out of the port the frames came in on
        if (!ShouldProcess(Words.Format(Strings.ForwardTarget, From.Name, To.Name), Bidirectional ? Strings.ForwardBothWaysAction : Strings.ForwardAction)) return;
        (LinkProfile, LinkProfile)? link;
        try
        {
            link = LinkParameters.Read(Delay, Jitter, Loss, Duplicate, Bandwidth, QueueLimit, MyInvocation.BoundParameters.ContainsKey(nameof(QueueLimit)), Bidirectional);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorId.InvalidLinkParameter, null));
            return;
        }
        int seed = MyInvocation.BoundParameters.ContainsKey(nameof(Seed)) ? Seed : Random.Shared.Next();
        ForwardSession session;
        try
        {
            var filter = string.IsNullOrWhiteSpace(Filter) ? null : PacketFilter.Compile(Filter, From.LinkType, netmask: PacketFilter.InterfaceNetmask(From.Spec));
            session = new ForwardSession(From, To, filter, Bidirectional && !Echo, Count, Duration, Echo, link, (ulong)(uint)seed) { BusyWait = BusyWait };
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Filter));
            return;
        }
        WriteVerbose(Words.Format(Strings.Forwarding, From.Name, To.Name, Bidirectional ? Strings.ForwardingBack : "", link is not null ? Words.Format(Strings.ForwardingLink, seed) : session.ZeroCopy ? Strings.ForwardingZeroCopy : Strings.ForwardingCopying));
        PortUse use;
        try
        {
            // Claimed here, before a job starts, so that a second loop on these rings is refused at once.
            use = Lease(session.Rings, AsJob ? CancellationToken.None : null);
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, From));
            return;
        }
        string loop = LoopName;
        (IReadOnlyList<ForwardReport>, NetmapException?) Run()
        {
            var result = session.Run(use.Token);
            ThrowIfClosed(loop, From, To);
            return result;
        }
        if (AsJob)
        {
            var job = new ForwardJob(MyInvocation.Line, use, Run);
            JobRepository.Add(job);
            WriteObject(job);
            return;
        }
        try
        {
            using (use)
            {
                var (reports, peerGone) = Run();
                foreach (var report in reports) WriteObject(report);
                if (peerGone is not null) WritePeerGone(peerGone, From);
            }
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, From));
        }
    }
}

/// <summary>A forwarding loop running in the background; Stop-Job ends it and the reports come out as its output.</summary>
internal sealed class ForwardJob : Job
{
    private readonly PortUse _use;
    private readonly Task _task;
    private volatile bool _stopped;

    /// <param name="use">The ports and rings the loop holds; the job ends it (Stop-Job) and lets it go when the loop ends.</param>
    public ForwardJob(string command, PortUse use, Func<(IReadOnlyList<ForwardReport> Reports, NetmapException? PeerGone)> loop) : base(command, "NetmapForward")
    {
        PSJobTypeName = "NetmapForwardJob";
        _use = use;
        SetJobState(JobState.Running);
        _task = Task.Run(() =>
        {
            using var held = use;
            try
            {
                var (reports, peerGone) = loop();
                foreach (var report in reports) Output.Add(PSObject.AsPSObject(report));
                if (peerGone is not null) Error.Add(ErrorRecords.From(peerGone, null));
                SetJobState(_stopped ? JobState.Stopped : JobState.Completed);
            }
            catch (Exception e)
            {
                Error.Add(e is NetmapException ? ErrorRecords.From(e, null) : ErrorRecords.Create(e, ErrorId.ForwardFailed, null));
                SetJobState(JobState.Failed);
            }
        });
    }

    public override string StatusMessage => JobStateInfo.State.ToString();
    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0;
    public override string Location => "localhost";
    public override void StopJob()
    {
        _stopped = true;
        if (!_task.IsCompleted)
        {
            try { _use.Stop(); } catch (ObjectDisposedException) { } // the loop ended meanwhile
        }
        _task.Wait(TimeSpan.FromSeconds(5));
    }
}
