using System.Buffers.Binary;

namespace Netmap.Native.Capture;

/// <summary>Reads integers from a span in the byte order of the file section they belong to.</summary>
internal readonly struct EndianReader(bool bigEndian)
{
    public bool BigEndian { get; } = bigEndian;

    public ushort U16(ReadOnlySpan<byte> s, int at) =>
        BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);

    public uint U32(ReadOnlySpan<byte> s, int at) =>
        BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);

    public ulong U64(ReadOnlySpan<byte> s, int at) =>
        BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);
}
