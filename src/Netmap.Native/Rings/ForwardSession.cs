using System.Diagnostics;
using Netmap.Native.Filters;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// The forwarding loop between two ports, one way or both: drives its <see cref="Forwarder"/>s until a
/// count, a duration or a cancellation ends it, flushes what is left in the TX rings, and reports what
/// each direction moved. With link profiles each direction is an emulated link (<see cref="LinkEmulator"/>):
/// -Count then counts the frames taken in, and a run that reaches it sends what its delay lines hold before it ends.
/// </summary>
public sealed class ForwardSession
{
    private readonly List<IForwardDirection> _forwarders = new();
    private readonly long _count;
    private readonly double _duration;

    /// <param name="count">Frames to forward each way (0: no limit).</param>
    /// <param name="duration">Seconds to run (-1: no limit).</param>
    /// <param name="echo">Answer each frame (addresses and ports swapped) instead of forwarding it: to <paramref name="to"/>, which may be <paramref name="from"/> itself.</param>
    /// <param name="link">The link to emulate from <paramref name="from"/> to <paramref name="to"/> and, both ways, back (null: forward as it comes).</param>
    /// <param name="seed">The seed of the link's draws; the way back draws from seed + 1.</param>
    /// <exception cref="NetmapException">A port forwarded to itself, or without the rings to read or fill (InvalidRequest).</exception>
    /// <exception cref="ArgumentException">A link profile out of range.</exception>
    public ForwardSession(NetmapPort from, NetmapPort to, PacketFilter? filter, bool bothWays, long count, double duration, bool echo = false,
        (LinkProfile There, LinkProfile Back)? link = null, ulong seed = 0)
    {
        _forwarders.Add(link is { } l ? new LinkEmulator(from, to, filter, l.There, seed) : new Forwarder(from, to, filter, echo));
        if (bothWays) _forwarders.Add(link is { } b ? new LinkEmulator(to, from, filter, b.Back, seed, 1) : new Forwarder(to, from, filter, echo));
        _count = count;
        _duration = duration;
        if (_forwarders is [Forwarder alone]) alone.SyncInWait = true; // the loop waits on it alone
    }

    /// <summary>Spin on rxsync instead of sleeping in poll when there is nothing to forward (<see cref="ReceiveWait"/>).</summary>
    public bool BusyWait
    {
        get => _forwarders.OfType<Forwarder>().Any(f => f.BusyWait);
        init { foreach (var f in _forwarders.OfType<Forwarder>()) f.BusyWait = value; } // an emulated link paces itself
    }

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
        // Both ways, the loop waits on one port at a time: an emulated link looks at the other every
        // millisecond, since its frames are timed from when the loop sees them.
        int wait = _forwarders.Count == 1 ? 50 : _forwarders[0] is LinkEmulator ? 1 : 5;
        NetmapException? peerGone = null;
        try
        {
            while (!cancel.IsCancellationRequested && (_duration < 0 || clock.Elapsed.TotalSeconds < _duration) && AnyBusy())
            {
                int limit = wait;
                foreach (var f in _forwarders) limit = Math.Min(limit, f.WaitLimitMs(wait)); // none sends late while another waits
                foreach (var f in _forwarders)
                    if (Busy(f)) f.Run(Owes(f) ? (_count > 0 ? _count - f.Taken : long.MaxValue) : 0, limit, cancel);
            }
        }
        catch (NetmapException e) when (e.Error == NetmapError.PeerGone)
        {
            peerGone = e;
        }
        if (_forwarders.All(f => f.From.IsOpen && f.To.IsOpen))
            foreach (var f in _forwarders) f.Flush(1000);
        double seconds = clock.Elapsed.TotalSeconds;
        var reports = _forwarders.Select(f => f.Report(seconds)).ToList();
        return (reports, peerGone);
    }

    private bool Owes(IForwardDirection f) => _count <= 0 || f.Taken < _count;
    private bool Busy(IForwardDirection f) => Owes(f) || f.Holding;

    private bool AnyBusy()
    {
        foreach (var f in _forwarders) if (Busy(f)) return true;
        return false;
    }
}
