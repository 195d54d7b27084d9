using Netmap.Native.Abi;
using Netmap.Native.Filters;
using Netmap.Native.Packets;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// The receive loop: walks [head, tail) of the port's RX rings, runs the filter on the bytes in the
/// ring buffers, copies the matches out, and waits when the rings are empty. Frames the filter
/// rejects are never copied and are handed back at once. Matched frames stay the user's until
/// <see cref="Release"/> says how many were consumed, so a consumer that stops half way loses
/// nothing: the rest are read again next time. As pkt-gen's receiver, it makes no sync of its own
/// for what was consumed: the slots go back with the sync the next wait starts with, or with
/// <see cref="HandBack"/> when the loop ends.
/// </summary>
public sealed unsafe class PacketReceiver
{
    private readonly NetmapPort _port;
    private readonly RingSpan _rings;
    private readonly PacketFilter? _filter;
    private readonly List<uint> _batchRings = new();
    private readonly List<uint> _batchSlots = new();
    private readonly uint[] _scanEnd;
    private readonly bool[] _scanned;
    private uint _nextRing;
    private bool _unsynced;

    public PacketReceiver(NetmapPort port, RingSpan? rings = null, PacketFilter? filter = null)
    {
        _port = port;
        _rings = rings ?? port.RxRings;
        _filter = filter is { MatchesEverything: true } ? null : filter;
        if (_rings.Count == 0)
            throw new NetmapException(NetmapError.InvalidRequest, $"'{port.Name}' has no RX rings registered (was it opened with /T?).");
        if (!port.RxRings.Contains(_rings.First) || !port.RxRings.Contains(_rings.End - 1))
            throw new NetmapException(NetmapError.InvalidRequest, $"'{port.Name}': RX rings {_rings} are not all registered; this port holds RX rings {port.RxRings}.");
        _nextRing = _rings.First;
        _scanEnd = new uint[_rings.End];
        _scanned = new bool[_rings.End];
    }

    /// <summary>Frames consumed so far (released after the consumer took them).</summary>
    public long Received { get; private set; }
    /// <summary>Frames looked at by the filter so far.</summary>
    public long Seen { get; private set; }
    /// <summary>Frames that passed the filter so far (all of them without a filter).</summary>
    public long Matched { get; private set; }
    /// <summary>Spin on rxsync instead of sleeping in poll when the rings are empty (<see cref="ReceiveWait"/>).</summary>
    public bool BusyWait { get; init; }
    /// <summary>When set, counts every frame looked at by kind (ARP, UDP, ...).</summary>
    public FrameKindCounter? Kinds { get; set; }

    /// <summary>
    /// Adds up to <paramref name="max"/> frames to <paramref name="sink"/>, waiting up to
    /// <paramref name="timeoutMs"/> (negative: forever) for the first. Returns how many were added.
    /// Follow it with <see cref="Release"/>.
    /// </summary>
    public int Receive(List<NetmapPacket> sink, int max, int timeoutMs, CancellationToken cancel = default)
    {
        _batchRings.Clear();
        _batchSlots.Clear();
        long deadline = Deadline.AfterMs(timeoutMs);
        for (bool synced = false; ; )
        {
            int got = Drain(sink, max);
            if (got > 0) return got;
            ReleaseScanned(); // everything scanned was rejected: hand it back before waiting
            if (timeoutMs == 0)
            {
                if (synced) return 0;
                _port.RxSync();
                _unsynced = false;
                synced = true;
                continue;
            }
            long left = deadline - Environment.TickCount64;
            if (left <= 0 || cancel.IsCancellationRequested) return 0;
            bool arrived = new ReceiveWait(BusyWait).Until(_port, (int)Math.Min(left, int.MaxValue), cancel);
            _unsynced = false; // the wait synced
            if (!arrived) return 0;
        }
    }

    /// <summary>
    /// Gives back the slots of the first <paramref name="consumed"/> frames of the last
    /// <see cref="Receive"/> (and the rejected frames around them); the sender has them at the next
    /// sync (the next wait, or <see cref="HandBack"/>). Frames not consumed stay in the ring.
    /// </summary>
    public void Release(int consumed)
    {
        bool all = consumed == _batchRings.Count;
        bool moved = false;
        for (uint r = _rings.First; r < _rings.End; r++)
        {
            if (!_scanned[r]) continue;
            var ring = _port.RxRing(r);
            int last = _batchRings.LastIndexOf(r, consumed - 1 < 0 ? 0 : consumed - 1, consumed);
            uint? head = all ? _scanEnd[r] : last >= 0 ? ring.Next(_batchSlots[last]) : null;
            if (head is uint h && h != ring.Head)
            {
                ring.Advance(h);
                moved = true;
            }
            _scanned[r] = false;
        }
        if (consumed > 0) _nextRing = NextAfter(_batchRings[consumed - 1]);
        Received += consumed;
        _unsynced |= moved;
    }

    /// <summary>Syncs now when slots were given back since the last sync: for the end of a loop, so that the sender goes on.</summary>
    public void HandBack()
    {
        if (!_unsynced) return;
        _port.RxSync();
        _unsynced = false;
    }

    /// <summary>Receives and releases at once: for consumers that keep every frame they are given.</summary>
    public int ReceiveAll(List<NetmapPacket> sink, int max, int timeoutMs, CancellationToken cancel = default)
    {
        int got = Receive(sink, max, timeoutMs, cancel);
        Release(got);
        HandBack();
        return got;
    }

    private void ReleaseScanned()
    {
        _batchRings.Clear();
        _batchSlots.Clear();
        Release(0);
    }

    private uint NextAfter(uint r) => r + 1 == _rings.End ? _rings.First : r + 1;

    private int Drain(List<NetmapPacket> sink, int max)
    {
        int got = 0;
        uint r = _nextRing;
        for (uint n = 0; n < _rings.Count && got < max; n++, r = NextAfter(r))
            got += DrainRing(r, sink, max - got);
        return got;
    }

    private int DrainRing(uint r, List<NetmapPacket> sink, int max)
    {
        var ring = _port.RxRing(r);
        uint tail = ring.Tail;
        uint head = _scanned[r] ? _scanEnd[r] : ring.Head;
        if (head == tail) return 0;
        var stamp = RingChecks.Timestamp(ring.Header);
        uint nicRings = _port.RxRingCount;
        int got = 0;
        for (; head != tail && got < max; head = ring.Next(head))
        {
            var slot = ring.Slot(head);
            int length = ring.Length(slot);
            byte* frame = ring.Buffer(slot->BufferIndex);
            Seen++;
            Kinds?.Count(frame, length);
            if (_filter is not null && !_filter.Matches(frame, length, slot->Length)) continue;
            Matched++;
            sink.Add(new NetmapPacket(new ReadOnlySpan<byte>(frame, length).ToArray(), stamp, _port.Name, r < nicRings ? r : r - nicRings, head) { LinkType = _port.LinkType });
            _batchRings.Add(r);
            _batchSlots.Add(head);
            got++;
        }
        _scanEnd[r] = head;
        _scanned[r] = true;
        return got;
    }
}
