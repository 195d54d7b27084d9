using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>
/// The base of the cmdlets that run an engine loop (a send, a forward, a meter): the loop's rings
/// leased for it (<see cref="PortUse"/>), a stop token that Ctrl+C (StopProcessing) cancels, progress,
/// and the same words for a port closed under the loop and for the other end of a pipe gone. The loop
/// itself is an engine class; the cmdlet holds none.
/// </summary>
public abstract class LoopCommand : PSCmdlet
{
    private readonly CancellationTokenSource _stop = new();
    private ProgressRecord? _progress;
    private long _nextProgress;

    /// <summary>Cancelled when the command is stopped.</summary>
    protected CancellationToken StopToken => _stop.Token;

    /// <summary>The command's name, as the user typed it (named in a second loop's PortBusy error).</summary>
    protected string LoopName => MyInvocation.MyCommand.Name;

    /// <summary>Leases the rings the loop uses; the lease's token ends with Ctrl+C or when a port closes (<paramref name="stop"/> replaces Ctrl+C for a job).</summary>
    /// <exception cref="NetmapException">A port is closed (Closed), or a ring is used by another loop (Busy).</exception>
    internal PortUse Lease(IEnumerable<RingUse> rings, CancellationToken? stop = null) => new(rings, LoopName, stop ?? StopToken);

    /// <summary>Leases the rings an engine session names.</summary>
    internal PortUse Lease(IEnumerable<(NetmapPort Port, RingSpan Rx, RingSpan Tx)> rings, CancellationToken? stop = null) =>
        Lease(rings.Select(r => new RingUse(r.Port, r.Rx, r.Tx)), stop);

    /// <summary>Ends the command (StopProcessing's work) from within, as when the peer of a pipe went away.</summary>
    protected void Stop() => _stop.Cancel();

    /// <summary>Throws Closed, naming the port and this command, when one of <paramref name="ports"/> was closed while the loop used it.</summary>
    protected void ThrowIfClosed(params NetmapPort[] ports) => ThrowIfClosed(LoopName, ports);

    internal static void ThrowIfClosed(string loop, params NetmapPort[] ports)
    {
        if (ports.FirstOrDefault(p => !p.IsOpen) is { } closed)
            throw new NetmapException(NetmapError.Closed, Words.Format(Strings.PortClosedDuringUse, closed.Name, loop));
    }

    /// <summary>Writes the PeerGone error of a loop that ended because the other end of its pipe went away: what the loop did still follows.</summary>
    protected void WritePeerGone(NetmapException e, object? target) => WriteError(ErrorRecords.From(e, target));

    /// <summary>Shows <paramref name="status"/> (at most four times a second), with a percentage when one is known.</summary>
    protected void Progress(int id, string status, int percent = -1, bool force = false)
    {
        if (!force && Environment.TickCount64 < _nextProgress) return;
        _progress ??= new ProgressRecord(id, LoopName, status);
        _progress.StatusDescription = status;
        _progress.PercentComplete = percent;
        WriteProgress(_progress);
        _nextProgress = Environment.TickCount64 + 250;
    }

    protected override void StopProcessing() => _stop.Cancel();
}
