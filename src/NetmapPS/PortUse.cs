using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>Rings of one port that a loop works on.</summary>
internal readonly record struct RingUse(NetmapPort Port, RingSpan Rx, RingSpan Tx);

/// <summary>
/// The ports a long-running command works on, kept mapped until it ends (NetmapPort.Use), with the
/// rings its loop uses claimed for it (a second loop on one of them is refused with PortBusy), and one
/// token cancelled when the command is stopped or when any of the ports is closed under it: closing a
/// port that a receive, a send or a forwarding job is using ends that loop instead of crashing it.
/// </summary>
internal sealed class PortUse : IDisposable
{
    private readonly List<IDisposable> _leases = new();
    private readonly CancellationTokenSource _cancel;

    /// <param name="rings">The rings of each port the loop uses.</param>
    /// <param name="loop">What the loop is, as a user would recognise it (named in the PortBusy error of a second loop).</param>
    /// <param name="stop">Cancelled when the command is stopped.</param>
    /// <exception cref="Netmap.Native.NetmapException">A port is closed already (Closed), or a ring is used by another loop (Busy).</exception>
    public PortUse(IEnumerable<RingUse> rings, string loop, CancellationToken stop)
    {
        var list = rings.ToList();
        try
        {
            foreach (var use in list) _leases.Add(use.Port.Use(use.Rx, use.Tx, loop));
        }
        catch
        {
            foreach (var lease in _leases) lease.Dispose();
            throw;
        }
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(list.Select(u => u.Port.Closing).Distinct().Append(stop).ToArray());
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>Ends the loop (a job's Stop-Job).</summary>
    public void Stop() => _cancel.Cancel();

    public void Dispose()
    {
        _cancel.Dispose();
        foreach (var lease in _leases) lease.Dispose();
        _leases.Clear();
    }
}
