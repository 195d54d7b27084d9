namespace Netmap.Native.Capture;

/// <summary>
/// A capture stream read front to back, keeping the byte offset for error messages and refusing
/// blocks longer than the rest of the file before allocating room for them.
/// </summary>
internal sealed class CaptureSource(Stream stream, string name)
{
    /// <summary>Largest block or record read into memory; a larger one is taken as corruption.</summary>
    public const int MaxBlockLength = 64 << 20;

    private byte[] _buffer = new byte[4096];
    private byte[] _lookahead = [];
    private int _lookaheadUsed;

    public string Name { get; } = name;

    /// <summary>Offset of the next byte to read.</summary>
    public long Position { get; private set; }

    /// <summary>Bytes left in the stream, when it can tell.</summary>
    public long? Remaining => stream.CanSeek
        ? Math.Max(0, stream.Length - stream.Position) + (_lookahead.Length - _lookaheadUsed)
        : null;

    /// <summary>Returns the next bytes (fewer at the end of the stream) without consuming them; once, at the start.</summary>
    public ReadOnlySpan<byte> Peek(int count)
    {
        _lookahead = new byte[count];
        int got = stream.ReadAtLeast(_lookahead, count, throwOnEndOfStream: false);
        Array.Resize(ref _lookahead, got);
        return _lookahead;
    }

    /// <summary>Reads up to <paramref name="count"/> bytes into a reused buffer; fewer only at the end of the stream.</summary>
    public ReadOnlySpan<byte> Read(int count)
    {
        if (_buffer.Length < count)
            _buffer = new byte[Math.Max(count, _buffer.Length * 2)];
        return _buffer.AsSpan(0, ReadInto(_buffer.AsSpan(0, count)));
    }

    /// <summary>Fills <paramref name="destination"/>, or as much of it as the stream has; returns how much.</summary>
    public int ReadInto(Span<byte> destination)
    {
        int fromLookahead = Math.Min(destination.Length, _lookahead.Length - _lookaheadUsed);
        _lookahead.AsSpan(_lookaheadUsed, fromLookahead).CopyTo(destination);
        _lookaheadUsed += fromLookahead;
        int got = fromLookahead;
        if (got < destination.Length)
            got += stream.ReadAtLeast(destination[got..], destination.Length - got, throwOnEndOfStream: false);
        Position += got;
        return got;
    }

    /// <summary>True when at least <paramref name="count"/> more bytes are there, or the stream cannot tell.</summary>
    public bool MayHave(long count) => Remaining is not { } left || left >= count;

    public CaptureFormatException Error(long offset, string problem) => new(Name, offset, problem);

    /// <summary>The error for a block or record the file ends inside of.</summary>
    public CaptureFormatException Truncated(long start, string what, long declaredLength) =>
        Error(start, $"the file ends at byte {Position + (Remaining ?? 0)} inside the {what} starting here, which is {declaredLength} bytes long");
}
