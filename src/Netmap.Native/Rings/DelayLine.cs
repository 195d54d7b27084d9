namespace Netmap.Native.Rings;

/// <summary>
/// One direction of an emulated link, as tlem models it, without a clock of its own (times are
/// nanoseconds on the caller's clock) and without allocating per frame: the frames are copied into
/// <see cref="LinkProfile.QueueLimit"/> preallocated buffers and leave in order.
/// </summary>
/// <remarks>
/// Per frame, in this order: loss (a draw below Loss drops it), the queue limit (a frame that finds
/// the line full is dropped: a queue overflow), then its schedule. The link sends one frame at a time:
/// it is busy until <c>max(busy, arrival) + serialization</c>, serialization being length x 8 /
/// bandwidth; the frame is released <c>delay + jitter</c> after that, jitter uniform in [-J, +J] and the
/// sum at least 0; and never before the frame ahead of it plus its own serialization, so that the
/// order is kept and frames stay spaced by the link's rate (tlem does the same). A frame that was kept
/// goes out twice with probability Duplicate; the copy is scheduled as a frame of its own arriving at
/// the same time. Every frame takes three draws of the generator (loss, duplicate, jitter), whatever
/// is configured, so that a seed gives the same decisions to the same sequence of frames.
/// </remarks>
public sealed class DelayLine
{
    private readonly LinkProfile _profile;
    private readonly byte[] _buffers;
    private readonly int _frameBytes;
    private readonly long[] _release, _arrival;
    private readonly int[] _length;
    private readonly double _nsPerByte;
    private readonly LinkRandom _random;
    private int _head, _count;
    private long _busyUntil = long.MinValue, _lastRelease = long.MinValue;
    private long _firstOut = -1, _lastOut, _firstBytes;

    /// <param name="frameBytes">The longest frame kept (longer ones are cut to it, as the TX buffer would).</param>
    public DelayLine(LinkProfile profile, int frameBytes, ulong seed)
    {
        profile.Validate();
        _profile = profile;
        _frameBytes = frameBytes;
        int n = profile.QueueLimit;
        _buffers = GC.AllocateUninitializedArray<byte>(checked(n * frameBytes));
        _release = new long[n];
        _arrival = new long[n];
        _length = new int[n];
        _nsPerByte = profile.BitsPerSecond > 0 ? 8e9 / profile.BitsPerSecond : 0;
        _random = new LinkRandom(seed);
    }

    public LinkProfile Profile => _profile;
    /// <summary>Frames offered to the link.</summary>
    public long Offered { get; private set; }
    /// <summary>Frames the loss draw dropped.</summary>
    public long Lost { get; private set; }
    /// <summary>Second copies queued.</summary>
    public long Duplicated { get; private set; }
    /// <summary>Frames (copies included) dropped because the line held QueueLimit frames.</summary>
    public long QueueDrops { get; private set; }
    /// <summary>Frames that left (<see cref="Take"/>).</summary>
    public long Released { get; private set; }
    public long ReleasedBytes { get; private set; }
    /// <summary>Sum and largest of (left - arrived), nanoseconds, over the frames that left.</summary>
    public long TotalDelayNs { get; private set; }
    public long MaxDelayNs { get; private set; }
    /// <summary>Frames in the line now.</summary>
    public int Count => _count;
    /// <summary>When the first frame in the line is due; long.MaxValue when the line is empty.</summary>
    public long NextRelease => _count > 0 ? _release[_head] : long.MaxValue;

    /// <summary>
    /// The rate at which the frames left as a receiver measures it: the bytes of all frames but the
    /// first, over the time from the first to the last leaving (bit/s; 0 before two have left).
    /// </summary>
    public double BitsPerSecond => Released > 1 && _lastOut > _firstOut ? (ReleasedBytes - _firstBytes) * 8e9 / (_lastOut - _firstOut) : 0;

    /// <summary>Offers a frame that arrived at <paramref name="now"/>. Returns the copies queued: 0 (lost or no room), 1 or 2.</summary>
    public int Offer(long now, ReadOnlySpan<byte> frame)
    {
        Offered++;
        double lossDraw = _random.NextDouble(), duplicateDraw = _random.NextDouble(), jitterDraw = _random.NextDouble();
        if (lossDraw < _profile.Loss)
        {
            Lost++;
            return 0;
        }
        long jitter = _profile.JitterNs == 0 ? 0 : (long)Math.Round((2 * jitterDraw - 1) * _profile.JitterNs);
        if (!Enqueue(now, frame, jitter)) return 0;
        if (duplicateDraw >= _profile.Duplicate) return 1;
        if (!Enqueue(now, frame, jitter)) return 1;
        Duplicated++;
        return 2;
    }

    private bool Enqueue(long now, ReadOnlySpan<byte> frame, long jitter)
    {
        if (_count == _profile.QueueLimit)
        {
            QueueDrops++;
            return false;
        }
        int length = Math.Min(frame.Length, _frameBytes);
        long serialization = (long)Math.Round(length * _nsPerByte);
        _busyUntil = Math.Max(_busyUntil, now) + serialization;
        long release = _busyUntil + Math.Max(0, _profile.DelayNs + jitter);
        if (_lastRelease != long.MinValue) release = Math.Max(release, _lastRelease + serialization);
        _lastRelease = release;
        int i = (_head + _count) % _profile.QueueLimit;
        frame[..length].CopyTo(_buffers.AsSpan(i * _frameBytes, length));
        _release[i] = release;
        _arrival[i] = now;
        _length[i] = length;
        _count++;
        return true;
    }

    /// <summary>The first frame in the line when it is due at <paramref name="now"/> (it stays there until <see cref="Take"/>).</summary>
    public bool TryPeekDue(long now, out ReadOnlySpan<byte> frame)
    {
        if (_count == 0 || _release[_head] > now)
        {
            frame = default;
            return false;
        }
        frame = _buffers.AsSpan(_head * _frameBytes, _length[_head]);
        return true;
    }

    /// <summary>Empties the line without sending (a run that ends before its frames are due). Returns the frames dropped.</summary>
    public int Clear()
    {
        int dropped = _count;
        _head = _count = 0;
        return dropped;
    }

    /// <summary>Removes the first frame, which left at <paramref name="now"/>, and counts it.</summary>
    public void Take(long now)
    {
        if (_count == 0) throw new InvalidOperationException("The delay line is empty.");
        long delay = now - _arrival[_head];
        TotalDelayNs += delay;
        MaxDelayNs = Math.Max(MaxDelayNs, delay);
        if (_firstOut < 0)
        {
            _firstOut = now;
            _firstBytes = _length[_head];
        }
        _lastOut = now;
        Released++;
        ReleasedBytes += _length[_head];
        _head = (_head + 1) % _profile.QueueLimit;
        _count--;
    }
}

/// <summary>
/// The link's dice: SplitMix64 (Steele, Lea and Flood 2014), small, fast and the same on every
/// platform and runtime, so that a seed always gives the same draws.
/// </summary>
internal sealed class LinkRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A draw in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
}
