using Netmap.Native.Abi;
using Netmap.Native.Packets;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// The receive loop: walks [head, tail) of the port's RX rings, copies each frame out, releases the
/// slots (a slot is released only after its bytes are copied), and waits when the rings are empty.
/// </summary>
public sealed unsafe class PacketReceiver
{
    private readonly NetmapPort _port;
    private readonly RingSpan _rings;
    private uint _nextRing;

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
    /// </summary>
    public int Receive(List<NetmapPacket> sink, int max, int timeoutMs, CancellationToken cancel = default)
    {
        int got = Drain(sink, max);
        if (got == 0)
        {
            if (timeoutMs == 0) _port.RxSync();
            if (timeoutMs == 0 || _port.Wait(WaitDirection.Receive, timeoutMs, cancel)) got = Drain(sink, max);
        }
        if (got > 0) _port.RxSync(); // hand the slots back at once so that the sender can go on
        Received += got;
        return got;
    }

    private int Drain(List<NetmapPacket> sink, int max)
    {
        int got = 0;
        for (uint n = 0; n < _rings.Count && got < max; n++)
        {
            uint r = _nextRing;
            _nextRing = r + 1 == _rings.End ? _rings.First : r + 1;
            got += DrainRing(r, sink, max - got);
        }
        return got;
    }

    private int DrainRing(uint r, List<NetmapPacket> sink, int max)
    {
        var ring = _port.RxRing(r);
        uint head = ring->Head, tail = ring->Tail, slots = ring->NumSlots;
        if (head == tail) return 0;
        var stamp = DateTime.UnixEpoch.AddTicks(ring->TimestampSeconds * TimeSpan.TicksPerSecond + ring->TimestampMicroseconds * 10);
        int got = 0;
        uint nicRings = _port.RxRingCount;
        for (; head != tail && got < max; head = RingMath.Next(head, slots), got++)
        {
            var slot = NetmapRing.Slot(ring, head);
            int length = Math.Min(slot->Length, (int)ring->BufferSize);
            var data = new ReadOnlySpan<byte>(NetmapRing.Buffer(ring, slot->BufferIndex), length).ToArray();
            sink.Add(new NetmapPacket(data, stamp, _port.Name, r < nicRings ? r : r - nicRings, head));
        }
        ring->Head = ring->Cur = head;
        return got;
    }
}
