using System.Diagnostics;
using Netmap.Native.Filters;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// tlem's producer and consumer in one loop, for one direction: takes what arrives on the RX rings of
/// one port into a <see cref="DelayLine"/> (dropping what the filter rejects) and writes each frame to a
/// TX ring of the other port when it is due. Frames are always copied: they outlive the RX slot.
/// Times are on the monotonic clock (<see cref="Stopwatch"/>). When nothing is due it sleeps in the
/// port's wait, until the next frame is due less a millisecond; the last millisecond it spins, so that
/// delays hold to a few microseconds on an idle core.
/// </summary>
public sealed unsafe class LinkEmulator : IForwardDirection
{
    /// <summary>Below this much time to the next frame the loop spins instead of sleeping.</summary>
    private const long SpinNs = 1_000_000;

    private readonly NetmapPort _from, _to;
    private readonly PacketFilter? _filter;
    private readonly DelayLine _line;
    private readonly uint _txRing;
    private readonly ulong _seed;
    private long _unsent;

    /// <param name="seed">The seed of the session (reported); this direction draws from seed + <paramref name="direction"/>.</param>
    /// <param name="direction">0 from -From to -To, 1 back.</param>
    public LinkEmulator(NetmapPort from, NetmapPort to, PacketFilter? filter, LinkProfile profile, ulong seed, int direction = 0)
    {
        if (ReferenceEquals(from, to))
            throw new NetmapException(NetmapError.InvalidRequest,
                $"'{from.Name}' cannot be forwarded to itself: its RX and TX rings would feed each other. Forward it to another port (a pipe, a VALE port, the host rings '^').");
        if (from.RxRings.Count == 0) throw new NetmapException(NetmapError.InvalidRequest, $"'{from.Name}' has no RX rings to forward from.");
        if (to.TxRings.Count == 0) throw new NetmapException(NetmapError.InvalidRequest, $"'{to.Name}' has no TX rings to forward to.");
        _from = from;
        _to = to;
        _filter = filter is { MatchesEverything: true } ? null : filter;
        _txRing = to.TxRings.First;
        _line = new DelayLine(profile, (int)to.BufferSize, seed + (ulong)direction);
        _seed = seed;
    }

    public NetmapPort From => _from;
    public NetmapPort To => _to;
    public uint TxRing => _txRing;
    public bool ZeroCopy => false;
    public long Taken => _line.Offered;
    public long Forwarded => _line.Released;
    public long Filtered { get; private set; }
    public bool Holding => _line.Count > 0;

    /// <summary>Nanoseconds on the monotonic clock.</summary>
    private static long Now() => Stopwatch.Frequency == 1_000_000_000 ? Stopwatch.GetTimestamp() : (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));

    public int WaitLimitMs(int cap)
    {
        long left = _line.NextRelease - Now();
        return left >= (long)cap * 1_000_000 + SpinNs ? cap : (int)Math.Max(0, (left - SpinNs) / 1_000_000);
    }

    public long Run(long budget, int timeoutMs, CancellationToken cancel = default)
    {
        long moved = Release() + (budget > 0 ? Take(budget) : 0);
        if (moved > 0) return moved;
        long left = _line.NextRelease - Now();
        if (left <= 0) _to.Wait(WaitDirection.Transmit, 1, cancel); // due but the TX ring is full
        else if (left <= SpinNs) Thread.SpinWait(20);
        else
        {
            int wait = (int)Math.Min(timeoutMs, (left - SpinNs) / 1_000_000);
            if (budget > 0) _from.Wait(WaitDirection.Receive, wait, cancel);
            else if (wait > 0) cancel.WaitHandle.WaitOne(wait);
            moved = Take(budget > 0 ? budget : 0) + Release();
        }
        return moved;
    }

    /// <summary>Sends what is due, syncs the TX ring until it has gone (or <paramref name="timeoutMs"/>); the frames not yet due are dropped and counted as Unsent.</summary>
    public bool Flush(int timeoutMs, CancellationToken cancel = default)
    {
        Release();
        _unsent += _line.Clear();
        return Forwarder.DrainTx(_to, _txRing, timeoutMs, cancel);
    }

    public ForwardReport Report(double seconds) => new LinkReport(_from.Name, _to.Name, false, _line.Released, Filtered, seconds,
        seconds > 0 ? _line.Released / seconds : 0)
    {
        Seed = _seed,
        Offered = _line.Offered,
        Lost = _line.Lost,
        Duplicated = _line.Duplicated,
        QueueDrops = _line.QueueDrops,
        Unsent = _unsent,
        MeanDelay = _line.Released > 0 ? _line.TotalDelayNs / 1e3 / _line.Released : double.NaN,
        MaxDelay = _line.Released > 0 ? _line.MaxDelayNs / 1e3 : double.NaN,
        BitsPerSecond = _line.BitsPerSecond,
    };

    private long Take(long budget)
    {
        long taken = 0, seen = 0, filtered = Filtered;
        long now = Now();
        var span = _from.RxRings;
        for (uint r = span.First; r < span.End && taken < budget; r++)
        {
            var rx = _from.RxRing(r);
            uint head = rx.Head, tail = rx.Tail;
            for (; head != tail && taken < budget; head = rx.Next(head))
            {
                var rs = rx.Slot(head);
                seen++;
                byte* frame = rx.Buffer(rs->BufferIndex);
                int length = rx.Length(rs);
                if (_filter is not null && !_filter.Matches(frame, length, rs->Length))
                {
                    Filtered++;
                    continue;
                }
                _line.Offer(now, new ReadOnlySpan<byte>(frame, length));
                taken++;
            }
            rx.Advance(head);
        }
        if (seen > 0)
        {
            _from.RxSync();
            _from.Statistics.AddReceive(seen, seen - (Filtered - filtered), taken);
        }
        return taken;
    }

    private long Release()
    {
        long now = Now();
        if (_line.NextRelease > now) return 0;
        var tx = _to.TxRing(_txRing);
        long sent = 0;
        while (_line.TryPeekDue(now, out var frame))
        {
            if (tx.IsEmpty)
            {
                _to.TxSync();
                if (tx.IsEmpty) break; // no room: the frames wait in the line, late
            }
            uint txHead = tx.Head;
            var ts = tx.Slot(txHead);
            frame.CopyTo(new Span<byte>(tx.Buffer(ts->BufferIndex), (int)tx.BufferSize));
            ts->Length = (ushort)frame.Length;
            ts->Flags = Abi.SlotFlags.None;
            tx.Advance(tx.Next(txHead));
            _line.Take(now);
            sent++;
            now = Now();
        }
        if (sent > 0)
        {
            _to.TxSync();
            _to.Statistics.AddSent(sent);
        }
        return sent;
    }
}
