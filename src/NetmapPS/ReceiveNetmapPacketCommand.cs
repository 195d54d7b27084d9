using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Filters;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace NetmapPS;

/// <summary>
/// Receives frames from the RX rings of one or more ports and writes them to the pipeline as packet
/// objects. Without -Port it listens on every port open in the session. -Filter runs a pcap-filter
/// expression on the bytes in the rings; only matches are copied out.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "NetmapPacket")]
[OutputType(typeof(NetmapPacket), typeof(byte[]))]
public sealed class ReceiveNetmapPacketCommand : LoopCommand
{
    private const int Batch = 256;
    /// <summary>With -Verbose, how often to say what arrived (so that a receive that shows nothing explains itself).</summary>
    private const long ReportEveryMs = 3000;
    private readonly List<NetmapPort> _ports = new();
    private long _number;

    [Parameter(Position = 0, ValueFromPipeline = true)]
    [PortTransformation]
    public NetmapPort[]? Port { get; set; }

    /// <summary>Only these RX rings (of every port given); default: all the port holds.</summary>
    [Parameter]
    public uint[]? Ring { get; set; }

    /// <summary>Stop after this many packets (default: until stopped).</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long Count { get; set; }

    /// <summary>Stop when no packet arrived for this many seconds (default: wait until stopped).</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double Timeout { get; set; } = -1;

    /// <summary>Stop after this many seconds in all.</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double Duration { get; set; } = -1;

    /// <summary>A pcap-filter expression, as tcpdump takes it: 'udp dst port 53', 'host 10.0.0.1 and tcp'.</summary>
    [Parameter]
    public string? Filter { get; set; }

    /// <summary>Write the frames' bytes (byte[]) instead of packet objects.</summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }

    /// <summary>When the rings are empty, spin on rxsync instead of sleeping in poll: lowest latency and most frames per second, one core kept busy.</summary>
    [Parameter]
    public SwitchParameter BusyWait { get; set; }

    protected override void ProcessRecord() => _ports.AddRange(Port ?? Array.Empty<NetmapPort>());

    protected override void EndProcessing()
    {
        if (_ports.Count == 0) _ports.AddRange(PortSession.All.Where(p => p.RxRings.Count > 0));
        if (_ports.Count == 0)
            ThrowTerminatingError(ErrorRecords.Create(new InvalidOperationException(Strings.NoPortToReceiveFrom), ErrorId.NoPortOpen, null));
        List<(NetmapPort Port, PacketReceiver Receiver)> receivers = new();
        PortUse? use = null;
        try
        {
            use = Lease(_ports.Distinct().Select(p => new RingUse(p, RingsOf(p) ?? p.RxRings, default)));
            foreach (var port in _ports)
            {
                // compiled per port: for its link type, and 'ip broadcast' needs the netmask of the port's own interface
                var filter = string.IsNullOrWhiteSpace(Filter) ? null : PacketFilter.Compile(Filter, port.LinkType, netmask: PacketFilter.InterfaceNetmask(port.Spec));
                receivers.Add((port, new PacketReceiver(port, RingsOf(port), filter) { BusyWait = BusyWait }));
                WriteVerbose(filter is null
                    ? Words.Format(Strings.ReceivingOn, port.Name, port.Mode, port.Mechanism, RingsOf(port) ?? port.RxRings)
                    : Words.Format(Strings.ReceivingOnFiltered, port.Name, port.Mode, port.Mechanism, RingsOf(port) ?? port.RxRings, Filter, filter.Program.Count));
            }
            Run(receivers, use.Token);
            ThrowIfClosed(_ports.ToArray());
        }
        catch (NetmapException e) when (e.Error == NetmapError.PeerGone)
        {
            WritePeerGone(e, _ports); // what was received stays in the pipeline (and in $packets = ...)
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Filter ?? (object)_ports));
        }
        finally
        {
            try
            {
                foreach (var (port, receiver) in receivers)
                {
                    try
                    {
                        if (port.IsOpen) receiver.HandBack(); // what was consumed goes back to the sender now, not at the next receive
                    }
                    catch (NetmapException) { } // a peer that went away needs nothing back; the error that ended the loop is the one to report
                    port.Statistics.AddReceive(receiver.Seen, receiver.Matched, receiver.Received);
                    WriteVerbose(Words.Format(Strings.ReceiveTotals, port.Name, receiver.Seen, receiver.Matched, receiver.Received, port.Dropped?.ToString(System.Globalization.CultureInfo.CurrentCulture) ?? Strings.NotCounted));
                }
            }
            finally
            {
                use?.Dispose();
            }
        }
    }

    private RingSpan? RingsOf(NetmapPort port)
    {
        if (Ring is null || Ring.Length == 0) return null;
        uint first = Ring.Min(), end = Ring.Max() + 1;
        if (end - first != Ring.Distinct().Count())
            throw new NetmapException(NetmapError.InvalidRequest, Strings.RingsNotConsecutive);
        return new RingSpan(first, end);
    }

    private void Run(List<(NetmapPort Port, PacketReceiver Receiver)> receivers, CancellationToken cancel)
    {
        var batch = new List<NetmapPacket>(Batch);
        long left = Count > 0 ? Count : long.MaxValue;
        long idleDeadline = Deadline.After(Timeout), end = Deadline.After(Duration), nextProgress = 0;
        int wait = receivers.Count == 1 ? 100 : 10;
        bool verbose = IsVerbose();
        var reported = receivers.Select(r => (Matched: 0L, Received: 0L)).ToArray();
        long nextReport = Environment.TickCount64 + ReportEveryMs;
        if (verbose) foreach (var (_, receiver) in receivers) receiver.Kinds = new FrameKindCounter();
        var progress = new ProgressRecord(1, MyInvocation.MyCommand.Name, Strings.ReceiveProgress);
        while (left > 0 && !cancel.IsCancellationRequested && Environment.TickCount64 < end)
        {
            int got = 0;
            foreach (var (_, receiver) in receivers)
            {
                batch.Clear();
                got += receiver.Receive(batch, (int)Math.Min(left, Batch), got == 0 && receiver == receivers[^1].Receiver ? wait : 0, cancel);
                int emitted = 0;
                try
                {
                    foreach (var packet in batch)
                    {
                        packet.Number = ++_number;
                        if (Raw) WriteObject(packet.Data, enumerateCollection: false); else WriteObject(packet); // throws when the pipeline stops
                        emitted++;
                        left--;
                    }
                }
                catch (PipelineStoppedException) when (!Stopping)
                {
                    // Not Ctrl+C: a command downstream (Select-Object -First N) took this packet and wants no
                    // more, so it leaves the ring too. After Ctrl+C (Stopping) it stays: it may not have got through.
                    emitted++;
                    throw;
                }
                finally
                {
                    receiver.Release(emitted); // only what reached the pipeline leaves the ring
                }
                if (left == 0) return;
            }
            if (verbose && Environment.TickCount64 >= nextReport)
            {
                for (int i = 0; i < receivers.Count; i++) ReportArrivals(receivers[i].Port, receivers[i].Receiver, ref reported[i]);
                nextReport = Environment.TickCount64 + ReportEveryMs;
            }
            if (got > 0) idleDeadline = Deadline.After(Timeout);
            else if (Environment.TickCount64 >= idleDeadline) return;
            if (Count > 1000 && Environment.TickCount64 >= nextProgress)
            {
                progress.PercentComplete = (int)(100 * (Count - left) / Count);
                progress.StatusDescription = Words.Format(Strings.ReceiveProgressCount, Count - left, Count);
                WriteProgress(progress);
                nextProgress = Environment.TickCount64 + 250;
            }
        }
    }

    /// <summary>
    /// Says how many frames arrived since the last report and of what kind, and how many passed the
    /// filter to the pipeline: when a Where-Object downstream lets none through, this shows why.
    /// </summary>
    private void ReportArrivals(NetmapPort port, PacketReceiver receiver, ref (long Matched, long Received) last)
    {
        var kinds = receiver.Kinds!;
        if (kinds.Total == 0) return;
        long matched = receiver.Matched - last.Matched;
        WriteVerbose(Words.Format(Strings.ReceiveArrivals, port.Name, Words.Format(kinds.Total == 1 ? Strings.OneFrame : Strings.Frames, kinds.Total),
                     ReportEveryMs / 1000, kinds, Filter is null ? "" : Words.Format(Strings.ReceivePassedFilter, matched, Filter), receiver.Received - last.Received));
        last = (receiver.Matched, receiver.Received);
        kinds.Reset();
    }

    private bool IsVerbose() =>
        MyInvocation.BoundParameters.TryGetValue("Verbose", out var v) ? v is SwitchParameter { IsPresent: true } or true
            : GetVariableValue("VerbosePreference") is ActionPreference p && p != ActionPreference.SilentlyContinue && p != ActionPreference.Ignore;
}
