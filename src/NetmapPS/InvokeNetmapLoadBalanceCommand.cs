using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace NetmapPS;

/// <summary>
/// netmap's lb: spreads what arrives on one port over several by a symmetric flow hash (both directions
/// of a flow leave by the same output), counting per output, and can copy everything to one more port.
/// The loop is the engine's LoadBalancer; this cmdlet claims the rings and reports.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "NetmapLoadBalance", SupportsShouldProcess = true)]
[OutputType(typeof(LoadBalanceReport))]
public sealed class InvokeNetmapLoadBalanceCommand : LoopCommand
{

    [Parameter(Mandatory = true, Position = 0)]
    [PortTransformation]
    public NetmapPort From { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 1)]
    [PortTransformation]
    public NetmapPort[] To { get; set; } = null!;

    /// <summary>A port that gets a copy of every frame.</summary>
    [Parameter]
    [PortTransformation]
    public NetmapPort? Copy { get; set; }

    /// <summary>Stop after forwarding this many frames.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long Count { get; set; }

    /// <summary>Stop after this many seconds.</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double Duration { get; set; } = -1;

    protected override void EndProcessing()
    {
        string outputs = string.Join(", ", To.Select(p => p.Name));
        if (!ShouldProcess(Words.Format(Strings.ForwardTarget, From.Name, outputs), Strings.LoadBalanceAction)) return;
        LoadBalancer balancer;
        PortUse use;
        try
        {
            balancer = new LoadBalancer(From, To, Copy);
            var rings = To.Concat(Copy is null ? [] : [Copy]).Select(p => new RingUse(p, default, new RingSpan(p.TxRings.First, p.TxRings.First + 1)))
                .Prepend(new RingUse(From, From.RxRings, default));
            use = Lease(rings);
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, From));
            return;
        }
        WriteVerbose(Words.Format(Strings.LoadBalancing, From.Name, To.Length, outputs, Copy is null ? "" : Words.Format(Strings.LoadBalancingCopy, Copy.Name)));
        try
        {
            using (use)
            {
                var report = balancer.Run(Count, Duration, use.Token);
                if (balancer.PeerGone is { } peerGone) WritePeerGone(peerGone, From);
                ThrowIfClosed([From, .. To, .. Copy is null ? Array.Empty<NetmapPort>() : [Copy]]);
                WriteObject(report);
            }
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, From));
        }
    }
}
