using System.Buffers.Binary;

namespace Netmap.Native.Capture;

/// <summary>
/// Writes a classic little-endian pcap file with nanosecond timestamps (magic 0xa1b23c4d). The
/// file header goes out with the first interface; a pcap file has one link type, so further
/// interfaces must share it, and their packets are cut to the first interface's snap length.
/// </summary>
internal sealed class PcapWriter(Stream stream, bool leaveOpen) : CaptureWriter(stream, leaveOpen)
{
    private int _linkType = -1, _snapLength;

    public override CaptureFormat Format => CaptureFormat.Pcap;

    private protected override int DescribeInterface(int index, string? name, int linkType, int snapLength)
    {
        if (_linkType < 0)
        {
            WriteFileHeader(linkType, snapLength);
            return snapLength;
        }
        if (linkType != _linkType)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"A pcap file holds one link type: this one has {_linkType}, so an interface with link type {linkType} cannot be added. Write a .pcapng file instead.");
        return Math.Min(snapLength, _snapLength);
    }

    public override int RecordLength(int capturedLength) => PcapFormat.RecordHeaderLength + capturedLength;

    private protected override void WritePacket(int interfaceIndex, long timestampNanoseconds, ReadOnlySpan<byte> data, int originalLength)
    {
        long seconds = timestampNanoseconds / 1_000_000_000;
        if (seconds > uint.MaxValue)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"A packet's timestamp ({CaptureRecord.ToDateTime(timestampNanoseconds):u}) is past 2106, where pcap's 32-bit seconds end; write a .pcapng file for later times.");
        int length = RecordLength(data.Length);
        Span<byte> record = Output.Reserve(length);
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(timestampNanoseconds % 1_000_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)originalLength);
        data.CopyTo(record[PcapFormat.RecordHeaderLength..]);
        Output.Commit(length);
    }

    // A file nobody added an interface to still gets a header (Ethernet) so that it is valid.
    private protected override void BeforeFlush()
    {
        if (_linkType < 0)
            WriteFileHeader(1, DefaultSnapLength);
    }

    private void WriteFileHeader(int linkType, int snapLength)
    {
        _linkType = linkType;
        _snapLength = snapLength;
        Span<byte> header = Output.Reserve(PcapFormat.FileHeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header, PcapFormat.NanosecondMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], PcapFormat.VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], PcapFormat.VersionMinor);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);   // thiszone
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // sigfigs
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)linkType);
        Output.Commit(PcapFormat.FileHeaderLength);
    }
}
