using Netmap.Native.Abi;
using Netmap.Native.Packets;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// The receive loop: walks [head, tail) of the port's RX rings, copies frames out, and waits when the
/// rings are empty. The slots stay the user's until <see cref="Release"/> says how many of the frames
/// were consumed, so a consumer that stops half way loses nothing: the rest are read again next time.
/// </summary>
public sealed unsafe class PacketReceiver
{
    private readonly NetmapPort _port;
    private readonly RingSpan _rings;
    private uint _nextRing;
    private readonly List<uint> _batchRings = new();
    private readonly List<uint> _batchSlots = new();

    public PacketReceiver(NetmapPort port, RingSpan? rings = null)
    {
        _port = port;
        _rings = rings ?? port.RxRings;
        if (_rings.Count == 0)
            throw new NetmapException(NetmapError.InvalidRequest, $"'{port.Name}' has no RX rings registered (was it opened with /T?).");
        _nextRing = _rings.First;
    }

    /// <summary>Frames received so far.</summary>
    public long Received { get; private set; }

    /// <summary>
    /// Adds up to <paramref name="max"/> frames to <paramref name="sink"/>, waiting up to
    /// <paramref name="timeoutMs"/> (negative: forever) for the first. Returns how many were added.
    /// Follow it with <see cref="Release"/>.
    /// </summary>
    public int Receive(List<NetmapPacket> sink, int max, int timeoutMs, CancellationToken cancel = default)
    {
        _batchRings.Clear();
        _batchSlots.Clear();
        int got = Drain(sink, max);
        if (got == 0)
        {
            if (timeoutMs == 0) _port.RxSync();
            if (timeoutMs == 0 || _port.Wait(WaitDirection.Receive, timeoutMs, cancel)) got = Drain(sink, max);
        }
        return got;
    }

    /// <summary>
    /// Gives back the slots of the first <paramref name="consumed"/> frames of the last
    /// <see cref="Receive"/> and syncs, so that the sender can go on. Frames not consumed stay in the ring.
    /// </summary>
    public void Release(int consumed)
    {
        if (consumed <= 0) return;
        for (int i = 0; i < consumed; i++)
        {
            var ring = _port.RxRing(_batchRings[i]);
            ring->Head = ring->Cur = RingMath.Next(_batchSlots[i], ring->NumSlots);
        }
        _port.RxSync();
        Received += consumed;
        _nextRing = _batchRings[consumed - 1] + 1 == _rings.End ? _rings.First : _batchRings[consumed - 1] + 1;
    }

    /// <summary>Receives and releases at once: for consumers that keep every frame they are given.</summary>
    public int ReceiveAll(List<NetmapPacket> sink, int max, int timeoutMs, CancellationToken cancel = default)
    {
        int got = Receive(sink, max, timeoutMs, cancel);
        Release(got);
        return got;
    }

    private int Drain(List<NetmapPacket> sink, int max)
    {
        int got = 0;
        uint r = _nextRing;
        for (uint n = 0; n < _rings.Count && got < max; n++)
        {
            got += DrainRing(r, sink, max - got);
            r = r + 1 == _rings.End ? _rings.First : r + 1;
        }
        return got;
    }

    private int DrainRing(uint r, List<NetmapPacket> sink, int max)
    {
        var ring = _port.RxRing(r);
        uint head = ring->Head, tail = ring->Tail, slots = ring->NumSlots;
        if (head == tail) return 0;
        var stamp = RingChecks.Timestamp(ring);
        int got = 0;
        uint nicRings = _port.RxRingCount;
        for (; head != tail && got < max; head = RingMath.Next(head, slots), got++)
        {
            var slot = NetmapRing.Slot(ring, head);
            int length = Math.Min(slot->Length, (int)ring->BufferSize);
            var data = new ReadOnlySpan<byte>(NetmapRing.Buffer(ring, slot->BufferIndex), length).ToArray();
            sink.Add(new NetmapPacket(data, stamp, _port.Name, r < nicRings ? r : r - nicRings, head));
            _batchRings.Add(r);
            _batchSlots.Add(head);
        }
        return got;
    }
}
