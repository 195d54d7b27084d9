namespace Netmap.Native.Capture;

/// <summary>
/// A capture file that is truncated, corrupt, or not a pcap/pcapng file at all. The message names
/// the file, the byte offset and what was wrong there; the packets before that offset were read.
/// </summary>
public sealed class CaptureFormatException : NetmapException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The file name, or a description of the stream.</param>
    /// <param name="offset">Byte offset of the problem: the start of a truncated block or record, or the bad field.</param>
    /// <param name="problem">What is wrong there, as a sentence without a final period.</param>
    public CaptureFormatException(string source, long offset, string problem)
        : base(NetmapError.Corrupted, $"{source}: at byte offset {offset}: {problem}.")
    {
        SourceName = source;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The file name, or a description of the stream, the problem was found in.</summary>
    public string SourceName { get; }

    /// <summary>Byte offset of the problem: where the truncated block or record starts, or the bad field.</summary>
    public long Offset { get; }

    /// <summary>What is wrong at <see cref="Offset"/>.</summary>
    public string Problem { get; }
}
