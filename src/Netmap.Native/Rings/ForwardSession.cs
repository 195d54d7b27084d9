using System.Diagnostics;
using Netmap.Native.Filters;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// The forwarding loop between two ports, one way or both: drives its <see cref="Forwarder"/>s until a
/// count, a duration or a cancellation ends it, flushes what is left in the TX rings, and reports what
/// each direction moved.
/// </summary>
public sealed class ForwardSession
{
    private readonly List<Forwarder> _forwarders = new();
    private readonly long _count;
    private readonly double _duration;

    /// <param name="count">Frames to forward each way (0: no limit).</param>
    /// <param name="duration">Seconds to run (-1: no limit).</param>
    /// <param name="echo">Answer each frame (addresses and ports swapped) instead of forwarding it: to <paramref name="to"/>, which may be <paramref name="from"/> itself.</param>
    /// <exception cref="NetmapException">A port forwarded to itself, or without the rings to read or fill (InvalidRequest).</exception>
    public ForwardSession(NetmapPort from, NetmapPort to, PacketFilter? filter, bool bothWays, long count, double duration, bool echo = false)
    {
        _forwarders.Add(new Forwarder(from, to, filter, echo));
        if (bothWays) _forwarders.Add(new Forwarder(to, from, filter, echo));
        _count = count;
        _duration = duration;
    }

    /// <summary>Spin on rxsync instead of sleeping in poll when there is nothing to forward (<see cref="ReceiveWait"/>).</summary>
    public bool BusyWait { get; init; }

    public bool ZeroCopy => _forwarders[0].ZeroCopy;

    /// <summary>The rings the loop works on, per port: every RX ring of a port it reads, the one TX ring of a port it fills.</summary>
    public IEnumerable<(NetmapPort Port, RingSpan Rx, RingSpan Tx)> Rings =>
        _forwarders.SelectMany(f => ReferenceEquals(f.From, f.To)
            ? new[] { (f.From, f.From.RxRings, new RingSpan(f.TxRing, f.TxRing + 1)) } // an echo on one port
            : new[] { (f.From, f.From.RxRings, default(RingSpan)), (f.To, default(RingSpan), new RingSpan(f.TxRing, f.TxRing + 1)) });

    /// <summary>
    /// Forwards until done. A pipe whose other end went away ends it too: the reports of what was
    /// forwarded come back with that error (PeerGone) rather than being lost with it.
    /// </summary>
    /// <exception cref="NetmapException">A port was closed while it ran (Closed).</exception>
    public (IReadOnlyList<ForwardReport> Reports, NetmapException? PeerGone) Run(CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        int wait = _forwarders.Count == 1 ? 50 : 5;
        var receiveWait = new ReceiveWait(BusyWait);
        NetmapException? peerGone = null;
        try
        {
            while (!cancel.IsCancellationRequested && (_duration < 0 || clock.Elapsed.TotalSeconds < _duration) && _forwarders.Any(Owes))
                foreach (var f in _forwarders)
                    if (Owes(f)) f.Run(_count > 0 ? _count - f.Forwarded : long.MaxValue, wait, cancel, receiveWait);
        }
        catch (NetmapException e) when (e.Error == NetmapError.PeerGone)
        {
            peerGone = e;
        }
        if (_forwarders.All(f => f.From.IsOpen && f.To.IsOpen))
            foreach (var f in _forwarders) f.Flush(1000);
        double seconds = clock.Elapsed.TotalSeconds;
        var reports = _forwarders.Select(f => new ForwardReport(f.From.Name, f.To.Name, f.ZeroCopy, f.Forwarded, f.Filtered, seconds,
            seconds > 0 ? f.Forwarded / seconds : 0)).ToList();
        return (reports, peerGone);
    }

    private bool Owes(Forwarder f) => _count <= 0 || f.Forwarded < _count;
}
