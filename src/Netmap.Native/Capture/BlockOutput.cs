namespace Netmap.Native.Capture;

/// <summary>
/// Collects whole blocks (or records) in memory and hands them to the stream only in whole
/// blocks, so that the file on disk never ends inside one; writes through when a batch is full.
/// </summary>
internal sealed class BlockOutput(Stream stream, bool leaveOpen) : IDisposable
{
    private const int BatchBytes = 1 << 16;

    private byte[] _buffer = new byte[BatchBytes];
    private int _used;

    /// <summary>Bytes of whole blocks committed so far (written or still in the batch).</summary>
    public long Length { get; private set; }

    /// <summary>Room for one block of <paramref name="size"/> bytes; call <see cref="Commit"/> once it is filled.</summary>
    public Span<byte> Reserve(int size)
    {
        if (_used + size > _buffer.Length)
        {
            WritePending();
            if (size > _buffer.Length)
                _buffer = new byte[size];
        }
        return _buffer.AsSpan(_used, size);
    }

    /// <summary>Adds the block just filled to the batch; writes the batch when it is full.</summary>
    public void Commit(int size)
    {
        _used += size;
        Length += size;
        if (_used >= BatchBytes)
            WritePending();
    }

    /// <summary>Writes the batch and flushes the stream, so the file ends with the last whole block.</summary>
    public void Flush()
    {
        WritePending();
        stream.Flush();
    }

    public void Dispose()
    {
        try
        {
            Flush();
        }
        finally
        {
            if (!leaveOpen)
                stream.Dispose();
        }
    }

    private void WritePending()
    {
        if (_used == 0)
            return;
        stream.Write(_buffer, 0, _used);
        _used = 0;
    }
}
