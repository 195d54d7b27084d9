using System.Buffers.Binary;
using System.Text;
using static Netmap.Native.Capture.PcapNgFormat;

namespace Netmap.Native.Capture;

/// <summary>
/// Writes one little-endian pcapng section: the Section Header Block at once, an Interface
/// Description Block (if_name, if_tsresol = 9) per interface, an Enhanced Packet Block per packet.
/// </summary>
internal sealed class PcapNgWriter : CaptureWriter
{
    private const int EnhancedPacketFixedLength = 28; // type, length, interface, timestamp x2, captured, original
    private static readonly byte[] Application = Encoding.UTF8.GetBytes("NetmapPS");

    public PcapNgWriter(Stream stream, bool leaveOpen) : base(stream, leaveOpen) => WriteSectionHeader();

    public override CaptureFormat Format => CaptureFormat.PcapNg;

    private void WriteSectionHeader()
    {
        int length = BlockOverhead + 16 + 4 + Pad4(Application.Length) + 4;
        Span<byte> block = Output.Reserve(length);
        block.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(block, SectionHeaderBlock);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(block[8..], ByteOrderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(block[12..], VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(block[14..], VersionMinor);
        BinaryPrimitives.WriteInt64LittleEndian(block[16..], -1); // section length not given
        int at = WriteOption(block, 24, ShbUserApplication, Application);
        at = WriteOption(block, at, EndOfOptions, []);
        BinaryPrimitives.WriteUInt32LittleEndian(block[at..], (uint)length);
        Output.Commit(length);
    }

    private protected override int DescribeInterface(int index, string? name, int linkType, int snapLength)
    {
        byte[] nameBytes = NameBytes(name);
        int options = (nameBytes.Length > 0 ? 4 + Pad4(nameBytes.Length) : 0) + 8 + 4; // if_name, if_tsresol, end
        int length = BlockOverhead + 8 + options;
        Span<byte> block = Output.Reserve(length);
        block.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(block, InterfaceDescriptionBlock);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(block[8..], (ushort)linkType);
        BinaryPrimitives.WriteUInt32LittleEndian(block[12..], (uint)snapLength);
        int at = 16;
        if (nameBytes.Length > 0)
            at = WriteOption(block, at, IfName, nameBytes);
        at = WriteOption(block, at, IfTimestampResolution, [9]);
        at = WriteOption(block, at, EndOfOptions, []);
        BinaryPrimitives.WriteUInt32LittleEndian(block[at..], (uint)length);
        Output.Commit(length);
        return snapLength;
    }

    public override int RecordLength(int capturedLength) => EnhancedPacketFixedLength + Pad4(capturedLength) + 4;

    private protected override void WritePacket(int interfaceIndex, long timestampNanoseconds, ReadOnlySpan<byte> data, int originalLength)
    {
        int length = RecordLength(data.Length);
        Span<byte> block = Output.Reserve(length);
        BinaryPrimitives.WriteUInt32LittleEndian(block, EnhancedPacketBlock);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(block[8..], (uint)interfaceIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(block[12..], (uint)((ulong)timestampNanoseconds >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(block[16..], (uint)timestampNanoseconds);
        BinaryPrimitives.WriteUInt32LittleEndian(block[20..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(block[24..], (uint)originalLength);
        data.CopyTo(block[EnhancedPacketFixedLength..]);
        block[(EnhancedPacketFixedLength + data.Length)..^4].Clear(); // padding to 32 bits
        BinaryPrimitives.WriteUInt32LittleEndian(block[^4..], (uint)length);
        Output.Commit(length);
    }

    // if_name in UTF-8, cut at a character boundary to what an option holds (65,532 bytes, so that
    // the padded value still fits): a name read from another file can be any length.
    private static byte[] NameBytes(string? name)
    {
        if (string.IsNullOrEmpty(name)) return [];
        const int Longest = ushort.MaxValue - 3;
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        if (bytes.Length <= Longest) return bytes;
        int cut = Longest;
        while ((bytes[cut] & 0xC0) == 0x80) cut--;   // not inside a multi-byte character
        return bytes[..cut];
    }

    // Writes code, length, value and zero padding; returns the offset after the padding.
    private static int WriteOption(Span<byte> block, int at, ushort code, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(block[at..], code);
        BinaryPrimitives.WriteUInt16LittleEndian(block[(at + 2)..], (ushort)value.Length);
        value.CopyTo(block[(at + 4)..]);
        return at + 4 + Pad4(value.Length);
    }
}
