using System.Buffers.Binary;
using System.Diagnostics;
using Netmap.Native.Abi;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// pkt-gen's ping: sends one frame stamped with a mark, a sequence number and the time out of one port,
/// waits for it to come back on another (or the same, behind an echo), and takes the round trip; then
/// the next. A probe that does not come back within the timeout is lost; frames that are not the
/// awaited probe (late ones, other traffic) are passed over. Nothing is allocated per probe.
/// </summary>
public sealed unsafe class LatencyProbe
{
    /// <summary>The start of an untagged IPv4/UDP payload, where the stamp goes by default.</summary>
    public const int DefaultOffset = 42;
    /// <summary>Bytes of the stamp: mark, sequence number (big-endian) and the send time (Stopwatch ticks).</summary>
    public const int StampLength = 16;
    private const uint Mark = 0x4e4d5053; // "NMPS"

    private readonly NetmapPort _out, _back;
    private readonly PacketTransmitter _transmitter;
    private readonly byte[] _frame;
    private readonly int _offset;

    public LatencyProbe(NetmapPort send, NetmapPort receive, byte[] template, int offset = DefaultOffset)
    {
        if (template.Length < offset + StampLength)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"A frame of {template.Length} bytes has no room for a {StampLength}-byte latency stamp at offset {offset}; make it at least {offset + StampLength} bytes.")
            { Remedy = NetmapRemedy.LengthenFrames, Subject = (offset + StampLength).ToString() };
        _out = send;
        _back = receive;
        _transmitter = new PacketTransmitter(send);
        _frame = (byte[])template.Clone();
        _offset = offset;
    }

    /// <summary>Sends <paramref name="count"/> probes, one at a time, each waiting up to <paramref name="timeoutMs"/> for its return, at most one per <paramref name="intervalMs"/>.</summary>
    public LatencyReport Run(int count, int timeoutMs, double intervalMs = 0, CancellationToken cancel = default)
    {
        var roundTrips = new long[count];
        int received = 0, sent = 0;
        long next = Stopwatch.GetTimestamp();
        for (uint sequence = 0; sequence < count && !cancel.IsCancellationRequested; sequence++)
        {
            Deadline.WaitForTimestamp(next, cancel); // when cancelled, the loop ends at its next turn
            next = Stopwatch.GetTimestamp() + (long)(intervalMs * Stopwatch.Frequency / 1000);
            var stamp = _frame.AsSpan(_offset, StampLength);
            BinaryPrimitives.WriteUInt32BigEndian(stamp, Mark);
            BinaryPrimitives.WriteUInt32BigEndian(stamp[4..], sequence);
            long start = Stopwatch.GetTimestamp();
            BinaryPrimitives.WriteInt64LittleEndian(stamp[8..], start);
            if (!_transmitter.Send(_frame, timeoutMs, cancel)) break; // no room within the timeout: the port is stuck
            _out.TxSync();
            sent++;
            if (AwaitReturn(sequence, start, Deadline.AfterMs(timeoutMs), cancel) is long roundTrip) roundTrips[received++] = roundTrip;
        }
        return LatencyReport.From(_out.Name, _back.Name, sent, roundTrips.AsSpan(0, received));
    }

    /// <summary>Reads what comes back until the probe <paramref name="sequence"/> does (its round trip in ticks) or the deadline passes (null).</summary>
    private long? AwaitReturn(uint sequence, long start, long deadline, CancellationToken cancel)
    {
        while (true)
        {
            if (Find(sequence, start) is long found) return found;
            long left = deadline - Environment.TickCount64;
            if (left <= 0 || cancel.IsCancellationRequested) return null;
            _back.Wait(WaitDirection.Receive, (int)left, cancel);
        }
    }

    /// <summary>Walks the RX rings, releasing every frame up to the probe; the probe's round trip, or null when it is not there yet.</summary>
    private long? Find(uint sequence, long start)
    {
        var span = _back.RxRings;
        for (uint r = span.First; r < span.End; r++)
        {
            var ring = _back.RxRing(r);
            uint head = ring.Head, tail = ring.Tail;
            for (; head != tail; head = ring.Next(head))
            {
                var slot = ring.Slot(head);
                if (ring.Length(slot) < _offset + StampLength) continue;
                var stamp = new ReadOnlySpan<byte>(ring.Buffer(slot->BufferIndex) + _offset, StampLength);
                if (BinaryPrimitives.ReadUInt32BigEndian(stamp) != Mark || BinaryPrimitives.ReadUInt32BigEndian(stamp[4..]) != sequence
                    || BinaryPrimitives.ReadInt64LittleEndian(stamp[8..]) != start)
                    continue; // another frame, or a probe that came back too late
                long arrived = Stopwatch.GetTimestamp();
                ring.Advance(ring.Next(head));
                return arrived - start;
            }
            ring.Advance(head);
        }
        return null;
    }
}

/// <summary>What pkt-gen's ping reports: probes sent, returned and lost, and the round trips in microseconds (NaN when none came back).</summary>
public sealed record LatencyReport(string Port, string ReturnPort, long Sent, long Received, long Lost,
    double Minimum, double Mean, double Median, double Percentile99, double Maximum)
{
    internal static LatencyReport From(string port, string returnPort, int sent, Span<long> roundTrips)
    {
        if (roundTrips.IsEmpty) return new(port, returnPort, sent, 0, sent, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        roundTrips.Sort();
        double Us(long ticks) => ticks * 1e6 / Stopwatch.Frequency;
        double sum = 0;
        foreach (long t in roundTrips) sum += t;
        int n = roundTrips.Length;
        double median = n % 2 == 1 ? Us(roundTrips[n / 2]) : (Us(roundTrips[n / 2 - 1]) + Us(roundTrips[n / 2])) / 2;
        return new(port, returnPort, sent, n, sent - n, Us(roundTrips[0]), Us((long)(sum / n)), median, Us(roundTrips[(int)Math.Ceiling(0.99 * n) - 1]), Us(roundTrips[^1]));
    }
}
