using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>
/// The ports a long-running command works on, kept mapped until it ends (NetmapPort.Use), with one
/// token cancelled when the command is stopped or when any of the ports is closed under it: closing a
/// port that a receive, a send or a forwarding job is using ends that loop instead of crashing it.
/// </summary>
internal sealed class PortUse : IDisposable
{
    private readonly List<IDisposable> _leases = new();
    private readonly CancellationTokenSource _cancel;

    /// <exception cref="Netmap.Native.NetmapException">One of the ports is closed already (Closed).</exception>
    public PortUse(IEnumerable<NetmapPort> ports, CancellationToken stop)
    {
        var distinct = ports.Distinct().ToList();
        try
        {
            foreach (var port in distinct) _leases.Add(port.Use());
        }
        catch
        {
            foreach (var lease in _leases) lease.Dispose();
            throw;
        }
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(distinct.Select(p => p.Closing).Append(stop).ToArray());
    }

    public CancellationToken Token => _cancel.Token;

    public void Dispose()
    {
        _cancel.Dispose();
        foreach (var lease in _leases) lease.Dispose();
        _leases.Clear();
    }
}
