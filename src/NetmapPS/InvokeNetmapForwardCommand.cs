using System.Diagnostics;
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
[Cmdlet(VerbsLifecycle.Invoke, "NetmapForward", SupportsShouldProcess = true)]
[OutputType(typeof(ForwardReport), typeof(Job))]
public sealed class InvokeNetmapForwardCommand : PSCmdlet
{
    private readonly CancellationTokenSource _stop = new();

    [Parameter(Mandatory = true, Position = 0)]
    [PortTransformation]
    public NetmapPort From { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 1)]
    [PortTransformation]
    public NetmapPort To { get; set; } = null!;

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
    [Parameter]
    public SwitchParameter Bidirectional { get; set; }

    /// <summary>Run in the background as a job (Get-Job, Receive-Job, Stop-Job).</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    protected override void EndProcessing()
    {
        if (!ShouldProcess(Words.Format(Strings.ForwardTarget, From.Name, To.Name), Bidirectional ? Strings.ForwardBothWaysAction : Strings.ForwardAction)) return;
        List<Forwarder> forwarders;
        try
        {
            var filter = string.IsNullOrWhiteSpace(Filter) ? null : PacketFilter.Compile(Filter, From.LinkType, netmask: PacketFilter.InterfaceNetmask(From.Spec));
            forwarders = new() { new Forwarder(From, To, filter) };
            if (Bidirectional) forwarders.Add(new Forwarder(To, From, filter));
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Filter));
            return;
        }
        WriteVerbose(Words.Format(Strings.Forwarding, From.Name, To.Name, Bidirectional ? Strings.ForwardingBack : "", forwarders[0].ZeroCopy ? Strings.ForwardingZeroCopy : Strings.ForwardingCopying));
        PortUse use;
        try
        {
            // Claimed here, before a job starts, so that a second loop on these rings is refused at once.
            use = ForwardLoop.Claim(forwarders, AsJob ? CancellationToken.None : _stop.Token);
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, From));
            return;
        }
        if (AsJob)
        {
            var job = new ForwardJob(MyInvocation.Line, use, () => ForwardLoop.Run(forwarders, Count, Duration, use, From, To));
            JobRepository.Add(job);
            WriteObject(job);
            return;
        }
        try
        {
            using (use)
            {
                var (reports, peerGone) = ForwardLoop.Run(forwarders, Count, Duration, use, From, To);
                foreach (var report in reports) WriteObject(report);
                if (peerGone is not null) WriteError(ErrorRecords.From(peerGone, From));
            }
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, From));
        }
    }

    protected override void StopProcessing() => _stop.Cancel();
}

/// <summary>The loop that drives forwarders until a count, a duration or cancellation ends it.</summary>
internal static class ForwardLoop
{
    /// <summary>The RX rings each forwarder reads and the TX ring it fills, held for the loop.</summary>
    /// <exception cref="NetmapException">A port is closed (Closed), or another loop uses one of the rings (Busy).</exception>
    public static PortUse Claim(List<Forwarder> forwarders, CancellationToken stop) =>
        new(forwarders.SelectMany(f => new[] { new RingUse(f.From, f.From.RxRings, default), new RingUse(f.To, default, new RingSpan(f.TxRing, f.TxRing + 1)) }),
            "Invoke-NetmapForward", stop);

    /// <summary>Forwards until done; a pipe whose other end went away ends it too (PeerGone), with the reports of what was forwarded.</summary>
    /// <exception cref="NetmapException">A port was closed before or while it ran (Closed).</exception>
    public static (List<ForwardReport> Reports, NetmapException? PeerGone) Run(List<Forwarder> forwarders, long count, double duration,
        PortUse use, NetmapPort from, NetmapPort to)
    {
        var cancel = use.Token;
        var clock = Stopwatch.StartNew();
        int wait = forwarders.Count == 1 ? 50 : 5;
        NetmapException? peerGone = null;
        try
        {
            while (!cancel.IsCancellationRequested && (duration < 0 || clock.Elapsed.TotalSeconds < duration)
                   && (count <= 0 || forwarders.Any(f => f.Forwarded < count)))
                foreach (var f in forwarders)
                    if (count <= 0 || f.Forwarded < count) f.Run(count > 0 ? count - f.Forwarded : long.MaxValue, wait, cancel);
        }
        catch (NetmapException e) when (e.Error == NetmapError.PeerGone)
        {
            peerGone = e;
        }
        if (!from.IsOpen || !to.IsOpen)
            throw new NetmapException(NetmapError.Closed, Words.Format(Strings.PortClosedDuringUse, (from.IsOpen ? to : from).Name, "Invoke-NetmapForward"));
        foreach (var f in forwarders) f.Flush(1000);
        double seconds = clock.Elapsed.TotalSeconds;
        var ends = new[] { (from.Name, to.Name), (to.Name, from.Name) };
        var reports = forwarders.Select((f, i) => new ForwardReport(ends[i].Item1, ends[i].Item2, f.ZeroCopy, f.Forwarded, f.Filtered, seconds,
            seconds > 0 ? f.Forwarded / seconds : 0)).ToList();
        return (reports, peerGone);
    }
}

/// <summary>A forwarding loop running in the background; Stop-Job ends it and the reports come out as its output.</summary>
internal sealed class ForwardJob : Job
{
    private readonly PortUse _use;
    private readonly Task _task;
    private volatile bool _stopped;

    /// <param name="use">The ports and rings the loop holds; the job ends it (Stop-Job) and lets it go when the loop ends.</param>
    public ForwardJob(string command, PortUse use, Func<(List<ForwardReport> Reports, NetmapException? PeerGone)> loop) : base(command, "NetmapForward")
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
