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
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "NetmapForward", SupportsShouldProcess = true, DefaultParameterSetName = "Forward")]
[OutputType(typeof(ForwardReport), typeof(Job))]
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

    /// <summary>Run in the background as a job (Get-Job, Receive-Job, Stop-Job).</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    protected override void EndProcessing()
    {
        To ??= From; // -Echo without -To answers out of the port the frames came in on
        if (!ShouldProcess(Words.Format(Strings.ForwardTarget, From.Name, To.Name), Bidirectional ? Strings.ForwardBothWaysAction : Strings.ForwardAction)) return;
        ForwardSession session;
        try
        {
            var filter = string.IsNullOrWhiteSpace(Filter) ? null : PacketFilter.Compile(Filter, From.LinkType, netmask: PacketFilter.InterfaceNetmask(From.Spec));
            session = new ForwardSession(From, To, filter, Bidirectional && !Echo, Count, Duration, Echo) { BusyWait = BusyWait };
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Filter));
            return;
        }
        WriteVerbose(Words.Format(Strings.Forwarding, From.Name, To.Name, Bidirectional ? Strings.ForwardingBack : "", session.ZeroCopy ? Strings.ForwardingZeroCopy : Strings.ForwardingCopying));
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
