using System.Buffers.Binary;

namespace Netmap.Native.Capture;

/// <summary>
/// Reads pcap and pcapng files, telling them apart by their first bytes. Records come lazily:
/// a truncated or corrupt file yields every packet before the problem, then throws a
/// <see cref="CaptureFormatException"/> naming the byte offset.
/// </summary>
public static class CaptureReader
{
    /// <summary>Reads the capture file at <paramref name="path"/>; the file is opened when enumeration starts and closed when it ends.</summary>
    /// <exception cref="FileNotFoundException">There is no such file (thrown at once).</exception>
    /// <exception cref="CaptureFormatException">While enumerating: the file is not pcap/pcapng, is truncated or corrupt.</exception>
    public static IEnumerable<CaptureRecord> Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Capture file '{path}' does not exist.", path);
        return ReadFile(path);
    }

    /// <summary>Reads a capture from <paramref name="stream"/>, front to back, without closing it; enumerate it once.</summary>
    /// <param name="stream">The capture, positioned at its first byte.</param>
    /// <param name="name">What to call the stream in error messages.</param>
    public static IEnumerable<CaptureRecord> Read(Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadStream(stream, name ?? "capture stream");
    }

    private static IEnumerable<CaptureRecord> ReadFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        foreach (CaptureRecord record in ReadStream(stream, path))
            yield return record;
    }

    private static IEnumerable<CaptureRecord> ReadStream(Stream stream, string name)
    {
        IRecordReader reader = CreateReader(new CaptureSource(stream, name));
        while (reader.Next() is { } record)
            yield return record;
    }

    private static IRecordReader CreateReader(CaptureSource source)
    {
        ReadOnlySpan<byte> start = source.Peek(4);
        if (start.Length < 4)
            throw source.Error(0, start.Length == 0 ? "the file is empty" : $"the file is only {start.Length} bytes long, too short for a capture file");
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(start);
        if (magic == PcapNgFormat.SectionHeaderBlock)
            return new PcapNgReader(source);
        if (PcapReader.IsMagic(magic))
            return new PcapReader(source);
        throw source.Error(0, $"the file starts with 0x{magic:x8}, which is neither a pcap magic number nor a pcapng Section Header Block");
    }
}
