using System.Buffers.Binary;
using System.Text;

namespace Netmap.Native.Tests;

/// <summary>Writes pcapng blocks by hand, in either byte order, for files our writer does not make.</summary>
internal sealed class PcapNgBuilder(bool bigEndian)
{
    private readonly MemoryStream _bytes = new();

    public PcapNgBuilder Section(ushort major = 1)
    {
        var body = new List<byte>();
        body.AddRange(U32(0x1a2b3c4d));
        body.AddRange(U16(major));
        body.AddRange(U16(0));
        body.AddRange(U64(ulong.MaxValue));
        body.AddRange(Option(4, Encoding.UTF8.GetBytes("hand-made")));
        body.AddRange(Option(0, []));
        return Block(0x0a0d0d0a, body.ToArray());
    }

    public PcapNgBuilder Interface(ushort linkType, uint snapLength, string? name = null, byte? tsresol = null, long? tsoffset = null)
    {
        var body = new List<byte>();
        body.AddRange(U16(linkType));
        body.AddRange(U16(0));
        body.AddRange(U32(snapLength));
        if (name is not null)
            body.AddRange(Option(2, Encoding.UTF8.GetBytes(name)));
        body.AddRange(Option(1, Encoding.UTF8.GetBytes("a comment to skip")));
        if (tsresol is { } r)
            body.AddRange(Option(9, [r]));
        if (tsoffset is { } o)
            body.AddRange(Option(14, U64((ulong)o)));
        body.AddRange(Option(0, []));
        return Block(1, body.ToArray());
    }

    public PcapNgBuilder Enhanced(uint interfaceId, ulong timestamp, byte[] data, uint? originalLength = null)
    {
        var body = new List<byte>();
        body.AddRange(U32(interfaceId));
        body.AddRange(U32((uint)(timestamp >> 32)));
        body.AddRange(U32((uint)timestamp));
        body.AddRange(U32((uint)data.Length));
        body.AddRange(U32(originalLength ?? (uint)data.Length));
        body.AddRange(Padded(data));
        body.AddRange(Option(2, U32(1))); // epb_flags: inbound
        body.AddRange(Option(0, []));
        return Block(6, body.ToArray());
    }

    public PcapNgBuilder Obsolete(ushort interfaceId, ulong timestamp, byte[] data)
    {
        var body = new List<byte>();
        body.AddRange(U16(interfaceId));
        body.AddRange(U16(0));
        body.AddRange(U32((uint)(timestamp >> 32)));
        body.AddRange(U32((uint)timestamp));
        body.AddRange(U32((uint)data.Length));
        body.AddRange(U32((uint)data.Length));
        body.AddRange(Padded(data));
        return Block(2, body.ToArray());
    }

    public PcapNgBuilder Simple(byte[] data, uint originalLength)
    {
        var body = new List<byte>();
        body.AddRange(U32(originalLength));
        body.AddRange(Padded(data));
        return Block(3, body.ToArray());
    }

    public PcapNgBuilder Block(uint type, byte[] body)
    {
        uint length = (uint)(12 + body.Length);
        _bytes.Write(U32(type));
        _bytes.Write(U32(length));
        _bytes.Write(body);
        _bytes.Write(U32(length));
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();

    private byte[] Option(ushort code, byte[] value) => [.. U16(code), .. U16((ushort)value.Length), .. Padded(value)];

    private static byte[] Padded(byte[] data) => [.. data, .. new byte[(4 - data.Length % 4) % 4]];

    private byte[] U16(ushort v) { var b = new byte[2]; if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v); return b; }

    private byte[] U32(uint v) { var b = new byte[4]; if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v); return b; }

    private byte[] U64(ulong v) { var b = new byte[8]; if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(b, v); else BinaryPrimitives.WriteUInt64LittleEndian(b, v); return b; }
}

/// <summary>Writes a classic pcap file by hand, in either byte order, with either magic.</summary>
internal static class PcapBuilder
{
    public static byte[] Build(bool bigEndian, bool nanoseconds, int linkType, IEnumerable<(uint Seconds, uint Fraction, byte[] Data, uint Original)> records)
    {
        var bytes = new MemoryStream();
        void U32(uint v) { Span<byte> b = stackalloc byte[4]; if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v); bytes.Write(b); }
        void U16(ushort v) { Span<byte> b = stackalloc byte[2]; if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v); bytes.Write(b); }
        U32(nanoseconds ? 0xa1b23c4du : 0xa1b2c3d4u);
        U16(2);
        U16(4);
        U32(0);
        U32(0);
        U32(65535);
        U32((uint)linkType);
        foreach (var (seconds, fraction, data, original) in records)
        {
            U32(seconds);
            U32(fraction);
            U32((uint)data.Length);
            U32(original);
            bytes.Write(data);
        }
        return bytes.ToArray();
    }
}

/// <summary>Where the blocks or records of a capture file start, walked with the lengths it declares.</summary>
internal static class CaptureLayout
{
    /// <summary>Start offsets of the pcap records (after the 24-byte header), and the file length as the last entry.</summary>
    public static List<long> PcapRecordStarts(byte[] file)
    {
        var starts = new List<long>();
        for (long at = 24; at < file.Length; at += 16 + BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)at + 8)))
            starts.Add(at);
        starts.Add(file.Length);
        return starts;
    }

    /// <summary>(start, type) of each little-endian pcapng block, then (file length, 0).</summary>
    public static List<(long Start, uint Type)> PcapNgBlocks(byte[] file)
    {
        var blocks = new List<(long, uint)>();
        for (long at = 0; at < file.Length; at += BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)at + 4)))
            blocks.Add((at, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)at))));
        blocks.Add((file.Length, 0));
        return blocks;
    }
}

/// <summary>A read-only stream that cannot seek, as a pipe would be.</summary>
internal sealed class UnseekableStream(byte[] bytes) : Stream
{
    private readonly MemoryStream _inner = new(bytes);
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7)); // short reads too
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
