using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Diagnostics;
using Netmap.Native.Packets;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>How a <see cref="TransmitSession"/> is to send: pace, bursts, sequence numbers, how long.</summary>
public sealed record TransmitOptions
{
    /// <summary>Packets per second (0: as fast as the ring takes them).</summary>
    public double Rate { get; init; }
    /// <summary>Hand the ring over (txsync) after this many frames, as pkt-gen's -b does (0: when the ring is full).</summary>
    public int Burst { get; init; }
    /// <summary>Where to write a sequence number (0, 1, 2...) into each frame; -1 for none.</summary>
    public int SequenceOffset { get; init; } = -1;
    /// <summary>How long to wait for room in the ring (-1: until cancelled).</summary>
    public int TimeoutMs { get; init; } = -1;
    /// <summary>Seconds after which the session sends no more (-1: no limit).</summary>
    public double Duration { get; init; } = -1;
    /// <summary>A fixed frame without sequence numbers is written into each buffer once, not again when its slot comes round (<see cref="PacketTransmitter.ReuseBuffers"/>).</summary>
    public bool ReuseBuffers { get; init; }
}

/// <summary>Why a <see cref="TransmitSession.Send(ReadOnlySpan{byte}, long, CancellationToken)"/> ended.</summary>
public enum TransmitOutcome { Done, TimeUp, Stopped, TimedOut }

/// <summary>
/// pkt-gen's tx in a loop on one TX ring: sends a frame, or the frames of a <see cref="FrameGenerator"/>,
/// a number of times, paced, in bursts, with sequence numbers, until a duration or a cancellation ends
/// it. Frames are written straight into the ring's buffers; nothing is allocated per frame. What it
/// sends counts in the port's statistics as it goes.
/// </summary>
public sealed unsafe class TransmitSession
{
    private readonly NetmapPort _port;
    private const int CheckEvery = 64;
    private readonly PacketTransmitter _tx;
    private readonly TransmitOptions _options;
    private readonly Pacer? _pacer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private uint _sequence;

    /// <exception cref="NetmapException">The port holds no such TX ring (InvalidRequest).</exception>
    public TransmitSession(NetmapPort port, uint? ring, TransmitOptions options)
    {
        _port = port;
        _tx = new PacketTransmitter(port, ring);
        _options = options;
        _pacer = options.Rate > 0 ? new Pacer(options.Rate) : null;
    }

    public NetmapPort Port => _port;
    /// <summary>The TX ring it fills.</summary>
    public uint Ring => _tx.Ring;
    public long Sent => _tx.Sent;
    public long Bytes { get; private set; }
    /// <summary>Syncs made: bursts and rounds of the ring handed over.</summary>
    public long Syncs => _tx.Syncs;
    /// <summary>Seconds since the session began.</summary>
    public double Seconds => _clock.Elapsed.TotalSeconds;
    public bool TimeIsUp => _options.Duration >= 0 && Seconds >= _options.Duration;

    /// <summary>Sends <paramref name="frame"/> <paramref name="count"/> times.</summary>
    /// <exception cref="NetmapException">The frame does not fit the port, or has no room for the sequence number (InvalidRequest); the port closed (Closed); the peer went away (PeerGone).</exception>
    public TransmitOutcome Send(ReadOnlySpan<byte> frame, long count, CancellationToken cancel = default)
    {
        CheckSequenceRoom(frame.Length);
        fixed (byte* source = frame) return Run(source, frame.Length, null, FrameGenerator.UdpWithChecksum(frame), count, cancel);
    }

    /// <summary>Sends <paramref name="count"/> frames of <paramref name="generator"/>.</summary>
    public TransmitOutcome Send(FrameGenerator generator, long count, CancellationToken cancel = default) =>
        Run(null, 0, generator, generator.Udp, count, cancel);

    /// <param name="udp">Where the IPv4 and UDP headers are when the frames are IPv4/UDP with a checksum: a sequence number in their payload is added to it.</param>
    /// <remarks>Cancellation and the duration are looked at every <see cref="CheckEvery"/> frames (and while waiting for room), not per frame;
    /// a fixed frame of 32 to 64 bytes sent unpaced, without bursts or sequence numbers, goes in runs over the room in hand (<see cref="RunCopies"/>).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private TransmitOutcome Run(byte* source, int fixedLength, FrameGenerator? generator, (int L3, int L4)? udp, long count, CancellationToken cancel)
    {
        int l3 = udp?.L3 ?? -1, l4 = udp?.L4 ?? -1;
        long before = _tx.Sent;
        int offset = _options.SequenceOffset, burst = _options.Burst;
        if (generator is null) _tx.CheckLength(fixedLength); // once: every frame is this one
        _tx.ReuseBuffers = _options.ReuseBuffers && generator is null && offset < 0;
        try
        {
            if (generator is null && offset < 0 && burst == 0 && _pacer is null && FrameCopy.IsInline(fixedLength)) return RunCopies(source, fixedLength, count, cancel);
            for (long i = 0; i < count; i++)
            {
                if ((i & (CheckEvery - 1)) == 0 || _pacer is not null) // a paced frame may have waited: look at once
                {
                    if (cancel.IsCancellationRequested) return TransmitOutcome.Stopped;
                    if (TimeIsUp) return TransmitOutcome.TimeUp;
                }
                int length = fixedLength;
                if (generator is not null)
                {
                    length = generator.Next();
                    if (offset >= 0) CheckSequenceRoom(length);
                }
                _pacer?.Next(cancel);
                byte* buffer = generator is null ? _tx.ClaimChecked(_options.TimeoutMs, cancel) : _tx.Claim(length, _options.TimeoutMs, cancel);
                if (buffer == null) return cancel.IsCancellationRequested ? TransmitOutcome.Stopped : TransmitOutcome.TimedOut;
                if (generator is not null) generator.Write(buffer);
                else if (!_tx.ClaimedHoldsFrame) FrameCopy.Copy(source, buffer, length);
                if (offset >= 0) Stamp(buffer, offset, _sequence++, l3, l4);
                _tx.Commit(length);
                Bytes += length;
                if (burst > 0 && _tx.Sent % burst == 0 || _pacer is not null) _tx.Sync();
            }
            return TransmitOutcome.Done;
        }
        finally
        {
            _tx.ReuseBuffers = false;
            _port.Statistics.AddSent(_tx.Sent - before);
        }
    }

    /// <summary>The same short frame as fast as the ring takes it: runs of copies over the room in hand, cancellation and the duration looked at between runs.</summary>
    private TransmitOutcome RunCopies(byte* source, int length, long count, CancellationToken cancel)
    {
        for (long left = count; left > 0;)
        {
            if (cancel.IsCancellationRequested) return TransmitOutcome.Stopped;
            if (TimeIsUp) return TransmitOutcome.TimeUp;
            int run = _tx.CommitCopies(source, length, (int)Math.Min(left, int.MaxValue), _options.TimeoutMs, cancel);
            if (run == 0) return cancel.IsCancellationRequested ? TransmitOutcome.Stopped : TransmitOutcome.TimedOut;
            left -= run;
            Bytes += (long)run * length;
        }
        return TransmitOutcome.Done;
    }

    /// <summary>
    /// Sends on several sessions at once (pkt-gen's threads: one per TX ring of a port), <paramref name="count"/>
    /// shared among them, each with its own generator when there are generators. The outcome is the
    /// worst of theirs (TimedOut, then Stopped, then TimeUp); the first error of one is thrown.
    /// </summary>
    public static TransmitOutcome SendTogether(IReadOnlyList<TransmitSession> sessions, byte[] frame, IReadOnlyList<FrameGenerator>? generators,
        long count, CancellationToken cancel = default)
    {
        TransmitOutcome Run(int i)
        {
            long share = count == long.MaxValue ? count : count / sessions.Count + (i < count % sessions.Count ? 1 : 0);
            return generators is null ? sessions[i].Send(frame, share, cancel) : sessions[i].Send(generators[i], share, cancel);
        }
        if (sessions.Count == 1) return Run(0);
        var tasks = Enumerable.Range(0, sessions.Count).Select(i => Task.Factory.StartNew(() => Run(i), TaskCreationOptions.LongRunning)).ToArray();
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        var outcomes = tasks.Select(t => t.Result).ToList();
        return outcomes.Contains(TransmitOutcome.TimedOut) ? TransmitOutcome.TimedOut
            : outcomes.Contains(TransmitOutcome.Stopped) ? TransmitOutcome.Stopped
            : outcomes.Contains(TransmitOutcome.TimeUp) ? TransmitOutcome.TimeUp : TransmitOutcome.Done;
    }

    /// <summary>Syncs until what was sent has left the ring, or the timeout passes; false when frames are still waiting.</summary>
    public bool Flush(int timeoutMs, CancellationToken cancel = default) => _tx.Flush(timeoutMs, cancel);

    /// <summary>
    /// Writes the sequence number; when it lands in the payload of a UDP datagram that has a checksum, the
    /// checksum takes the change (RFC 1624: HC' = ~(~HC + ~m + m')), so that receivers do not drop the frame.
    /// </summary>
    private static void Stamp(byte* buffer, int offset, uint sequence, int l3, int l4)
    {
        byte* at = buffer + offset;
        if (l4 < 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(new Span<byte>(at, 4), sequence);
            return;
        }
        int ipEnd = l3 + (buffer[l3 + 2] << 8 | buffer[l3 + 3]);
        uint before = PayloadSum(at, offset, l4, ipEnd);
        BinaryPrimitives.WriteUInt32BigEndian(new Span<byte>(at, 4), sequence);
        uint after = PayloadSum(at, offset, l4, ipEnd);
        if (before == after) return;
        byte* field = buffer + l4 + 6;
        uint sum = (uint)(ushort)~(field[0] << 8 | field[1]) + (0xFFFF - Fold(before)) + Fold(after);
        ushort check = (ushort)~Fold(sum);
        if (check == 0) check = 0xFFFF; // 0 would say "no checksum"
        field[0] = (byte)(check >> 8);
        field[1] = (byte)check;
    }

    /// <summary>What the four bytes at <paramref name="at"/> add to the UDP checksum: those in the payload, each in the half of its 16-bit word.</summary>
    private static uint PayloadSum(byte* at, int offset, int l4, int ipEnd)
    {
        uint sum = 0;
        for (int j = 0; j < 4; j++)
        {
            int p = offset + j;
            if (p >= l4 + 8 && p < ipEnd) sum += ((p - l4) & 1) == 0 ? (uint)at[j] << 8 : at[j];
        }
        return sum;
    }

    private static uint Fold(uint sum)
    {
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (sum & 0xFFFF) + (sum >> 16);
    }

    private void CheckSequenceRoom(int length)
    {
        if (_options.SequenceOffset >= 0 && length < _options.SequenceOffset + 4)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"A frame of {length} bytes has no room for a sequence number at offset {_options.SequenceOffset}; make it at least {_options.SequenceOffset + 4} bytes.")
            { Remedy = NetmapRemedy.LengthenFrames, Subject = (_options.SequenceOffset + 4).ToString() };
    }

    /// <summary>The report of this session (pkt-gen's "Sent ... packets" line as an object).</summary>
    public SendReport Report() => Report(_port.Name, [this]);

    /// <summary>One report of several sessions that ran together (threads on several rings of one port).</summary>
    public static SendReport Report(string port, IReadOnlyList<TransmitSession> sessions)
    {
        long packets = sessions.Sum(s => s.Sent), bytes = sessions.Sum(s => s.Bytes), syncs = sessions.Sum(s => s.Syncs);
        double seconds = sessions.Max(s => s.Seconds);
        return new SendReport(port, packets, bytes, seconds, seconds > 0 ? packets / seconds : 0) { Syncs = syncs, Rings = sessions.Count };
    }
}
