using Netmap.Native.Capture;

namespace Netmap.Native.Rings;

/// <summary>
/// The frames of a capture held for a replay: their bytes back to back in one buffer, with each
/// frame's start, length and timestamp, so that the replay loop reads them without allocating.
/// Loaded once, before the replay begins (as nmreplay loads its whole file).
/// </summary>
public sealed class ReplayFrames
{
    private byte[] _bytes = new byte[64 << 10];
    private readonly List<int> _starts = new(), _lengths = new();
    private readonly List<long> _timestamps = new();
    private int _used;

    /// <summary>Frames held.</summary>
    public int Count => _starts.Count;
    /// <summary>Bytes of all frames.</summary>
    public long Bytes => _used;
    /// <summary>The link type of the frames (LINKTYPE_ value), null while there are none.</summary>
    public int? LinkType { get; private set; }
    /// <summary>True when every frame came with its capture timestamp (a schedule can follow them).</summary>
    public bool HasTimestamps { get; private set; } = true;
    /// <summary>Capture timestamps, nanoseconds since 1970 (0 for frames that came without one).</summary>
    public IReadOnlyList<long> Timestamps => _timestamps;
    /// <summary>Frame lengths, in bytes.</summary>
    public IReadOnlyList<int> Lengths => _lengths;

    /// <summary>Reads every record of a capture (<see cref="CaptureReader"/>).</summary>
    /// <exception cref="CaptureFormatException">The capture is corrupt or truncated.</exception>
    /// <exception cref="NetmapException">Its records mix link types, or it is too large to hold (InvalidRequest).</exception>
    public static ReplayFrames Read(IEnumerable<CaptureRecord> records)
    {
        var frames = new ReplayFrames();
        foreach (var record in records) frames.Add(record.Data, record.TimestampNanoseconds, record.LinkType);
        return frames;
    }

    /// <summary>Adds a frame; <paramref name="timestampNanoseconds"/> null for one without a capture time.</summary>
    /// <exception cref="NetmapException">A link type other than the frames' so far, or more than 2 GB of frames (InvalidRequest).</exception>
    public void Add(ReadOnlySpan<byte> frame, long? timestampNanoseconds, int linkType)
    {
        if (LinkType is { } held && held != linkType)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"Frame {Count + 1} has link type {linkType}, the frames before it {held}; a replay sends frames of one link type. Replay the frames of each link type apart.");
        if ((long)_used + frame.Length > Array.MaxLength)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"The capture holds more than {Array.MaxLength / (1 << 20)} MB of frames, more than a replay holds in memory; replay it in parts.");
        if (_used + frame.Length > _bytes.Length)
            Array.Resize(ref _bytes, (int)Math.Min(Array.MaxLength, Math.Max((long)_bytes.Length * 2, (long)_used + frame.Length)));
        frame.CopyTo(_bytes.AsSpan(_used));
        LinkType = linkType;
        _starts.Add(_used);
        _lengths.Add(frame.Length);
        _timestamps.Add(timestampNanoseconds ?? 0);
        HasTimestamps &= timestampNanoseconds is not null;
        _used += frame.Length;
    }

    /// <summary>The bytes of frame <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Frame(int index) => _bytes.AsSpan(_starts[index], _lengths[index]);
}
