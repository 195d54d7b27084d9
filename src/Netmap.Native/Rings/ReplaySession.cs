using System.Diagnostics;
using System.Runtime.CompilerServices;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>How a <see cref="ReplaySession"/> is to replay: the capture's timing sped up, or a fixed rate; how many passes.</summary>
public sealed record ReplayOptions
{
    /// <summary>How many times as fast as it was captured (2: twice as fast, half the gaps).</summary>
    public double Speed { get; init; } = 1;
    /// <summary>Frames per second instead of the capture's timing (0: follow the timestamps).</summary>
    public double Rate { get; init; }
    /// <summary>Passes over the capture.</summary>
    public long Loops { get; init; } = 1;
    /// <summary>How long to wait for room in the ring (-1: until cancelled).</summary>
    public int TimeoutMs { get; init; } = -1;
}

/// <summary>
/// nmreplay in a loop on one TX ring: sends the frames of a capture when their time comes by its
/// <see cref="ReplaySchedule"/>, on the monotonic clock (<see cref="Stopwatch"/> ticks), -Loops
/// times. It sleeps while the next frame is far and spins when it is near (under 2 ms); a frame
/// whose time has passed goes at once, and the schedule keeps its own time (it is never reset), so
/// a late frame does not delay the ones after it. How late each frame left is measured against the
/// schedule. Frames go straight from the loaded capture into the ring's buffers; nothing is
/// allocated per frame. What it sends counts in the port's statistics.
/// </summary>
public sealed unsafe class ReplaySession
{

    private readonly NetmapPort _port;
    private readonly PacketTransmitter _tx;
    private readonly ReplayFrames _frames;
    private readonly ReplayOptions _options;
    private long _start, _end, _lastDue, _latenessSum, _latenessMax;

    /// <exception cref="NetmapException">
    /// The port holds no such TX ring; the capture holds no frames, frames of another link type than
    /// the port's, a frame the port cannot send, or no timestamps without a rate; a speed, rate or loop
    /// count out of range (InvalidRequest).
    /// </exception>
    public ReplaySession(NetmapPort port, uint? ring, ReplayFrames frames, ReplayOptions options)
    {
        if (options.Loops < 1)
            throw new NetmapException(NetmapError.InvalidRequest, $"A replay of {options.Loops} passes sends nothing; give 1 or more.");
        _tx = new PacketTransmitter(port, ring);
        if (frames.LinkType is { } linkType && linkType != port.LinkType)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"The capture holds frames of link type {linkType}, but '{port.Name}' sends link type {port.LinkType} (Ethernet); replay a capture taken on an Ethernet interface or port.");
        if (!frames.HasTimestamps && options.Rate <= 0)
            throw new NetmapException(NetmapError.InvalidRequest,
                "Some frames came without a capture timestamp, so there is no timing to replay; replay frames read from a capture file, or at a fixed rate.");
        if (options.Rate > 0 && options.Speed != 1)
            throw new NetmapException(NetmapError.InvalidRequest, "A replay either follows the capture's timing at a speed or sends at a fixed rate, not both.");
        Schedule = options.Rate > 0
            ? ReplaySchedule.AtRate(frames.Count, options.Rate, frames.HasTimestamps ? ReplaySchedule.FollowTimestamps(frames.Timestamps, frames.Lengths, 1).CaptureSpan : 0)
            : ReplaySchedule.FollowTimestamps(frames.Timestamps, frames.Lengths, options.Speed);
        for (int i = 0; i < frames.Count; i++)
        {
            try
            {
                _tx.CheckLength(frames.Lengths[i]);
            }
            catch (NetmapException e)
            {
                throw new NetmapException(e.Error, $"Frame {i + 1} of the capture: {e.Message}") { Remedy = e.Remedy, Subject = e.Subject };
            }
        }
        _port = port;
        _frames = frames;
        _options = options;
    }

    public NetmapPort Port => _port;
    /// <summary>The TX ring it fills.</summary>
    public uint Ring => _tx.Ring;
    /// <summary>When each frame is due.</summary>
    public ReplaySchedule Schedule { get; }
    public long Sent => _tx.Sent;
    public long Bytes { get; private set; }
    /// <summary>Passes over the capture completed.</summary>
    public long Loops { get; private set; }

    /// <summary>Replays until every pass is sent, the ring stays full past the timeout, or <paramref name="cancel"/>.</summary>
    /// <exception cref="NetmapException">The port closed (Closed); the peer went away (PeerGone).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimized from its first frame: no frame waits for a tier-0 loop
    public TransmitOutcome Run(CancellationToken cancel = default)
    {
        long before = _tx.Sent;
        int count = _frames.Count;
        _start = Stopwatch.GetTimestamp();
        long pass = 0;
        int i = 0;
        long due = _start + Ticks(Schedule.Due(0, 0));
        try
        {
            while (true)
            {
                if (!Deadline.WaitForTimestamp(due, cancel)) return TransmitOutcome.Stopped;
                var frame = _frames.Frame(i);
                byte* buffer = _tx.Claim(frame.Length, _options.TimeoutMs, cancel);
                if (buffer == null) return cancel.IsCancellationRequested ? TransmitOutcome.Stopped : TransmitOutcome.TimedOut;
                fixed (byte* source = frame) FrameCopy.Copy(source, buffer, frame.Length);
                _tx.Commit(frame.Length);
                long now = Stopwatch.GetTimestamp(), late = Math.Max(0, now - due);
                _latenessSum += late;
                _latenessMax = Math.Max(_latenessMax, late);
                _lastDue = due;
                Bytes += frame.Length;
                if (++i == count)
                {
                    i = 0;
                    Loops++;
                    if (++pass == _options.Loops)
                    {
                        _tx.Sync();
                        return TransmitOutcome.Done;
                    }
                }
                due = _start + Ticks(Schedule.Due(pass, i));
                if (due > now) _tx.Sync(); // frames already due go out together in the next sync
            }
        }
        finally
        {
            _end = Stopwatch.GetTimestamp();
            _port.Statistics.AddSent(_tx.Sent - before);
        }
    }

    /// <summary>Syncs until what was sent has left the ring, or the timeout passes; false when frames are still waiting.</summary>
    public bool Flush(int timeoutMs, CancellationToken cancel = default) => _tx.Flush(timeoutMs, cancel);

    /// <summary>What was replayed, how long it took against how long the schedule said, and how late the frames left.</summary>
    public ReplayReport Report()
    {
        long sent = Sent;
        return new ReplayReport(_port.Name, sent, Bytes, Loops, Schedule.CaptureSpan / 1e9,
            sent > 0 ? Stopwatch.GetElapsedTime(_start, _lastDue).TotalSeconds : 0,
            _end > _start ? Stopwatch.GetElapsedTime(_start, _end).TotalSeconds : 0,
            sent > 0 ? _latenessSum / (double)sent / Stopwatch.Frequency : 0, _latenessMax / (double)Stopwatch.Frequency)
        { Backwards = Schedule.Backwards };
    }

    /// <summary>Stopwatch ticks in <paramref name="nanoseconds"/> (the same number where the clock counts nanoseconds, as on Linux).</summary>
    private static long Ticks(long nanoseconds) => Stopwatch.Frequency == 1_000_000_000 ? nanoseconds
        : (long)Int128.Min(ReplaySchedule.Never, (Int128)nanoseconds * Stopwatch.Frequency / 1_000_000_000);
}
