using System.Buffers.Binary;

namespace Netmap.Native.Capture;

/// <summary>Reads classic pcap files: either byte order, microsecond or nanosecond magic.</summary>
internal sealed class PcapReader : IRecordReader
{
    private readonly CaptureSource _source;
    private readonly EndianReader _endian;
    private readonly bool _nanoseconds;
    private readonly int _linkType;

    /// <summary>Reads and checks the file header.</summary>
    public PcapReader(CaptureSource source)
    {
        _source = source;
        ReadOnlySpan<byte> header = source.Read(PcapFormat.FileHeaderLength);
        if (header.Length < PcapFormat.FileHeaderLength)
            throw source.Truncated(0, "pcap file header", PcapFormat.FileHeaderLength);

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        _endian = new EndianReader(!(magic is PcapFormat.MicrosecondMagic or PcapFormat.NanosecondMagic));
        _nanoseconds = _endian.U32(header, 0) == PcapFormat.NanosecondMagic;
        ushort major = _endian.U16(header, 4);
        if (major != PcapFormat.VersionMajor)
            throw source.Error(4, $"pcap version {major}.{_endian.U16(header, 6)} is not supported (2.4 is)");
        _linkType = (int)(_endian.U32(header, 20) & PcapFormat.LinkTypeMask);
    }

    /// <summary>True when <paramref name="magic"/> (read little-endian) starts a pcap file.</summary>
    public static bool IsMagic(uint magic) =>
        magic is PcapFormat.MicrosecondMagic or PcapFormat.NanosecondMagic ||
        BinaryPrimitives.ReverseEndianness(magic) is PcapFormat.MicrosecondMagic or PcapFormat.NanosecondMagic;

    /// <summary>The next record, or null at the end of the file.</summary>
    public CaptureRecord? Next()
    {
        long start = _source.Position;
        ReadOnlySpan<byte> header = _source.Read(PcapFormat.RecordHeaderLength);
        if (header.Length == 0)
            return null;
        if (header.Length < PcapFormat.RecordHeaderLength)
            throw _source.Truncated(start, "packet record header", PcapFormat.RecordHeaderLength);

        uint seconds = _endian.U32(header, 0), fraction = _endian.U32(header, 4);
        uint captured = _endian.U32(header, 8), original = _endian.U32(header, 12);
        if (captured > CaptureSource.MaxBlockLength)
            throw _source.Error(start + 8, $"captured length {captured} is more than the {CaptureSource.MaxBlockLength}-byte limit; the record header is corrupt");
        if (original > int.MaxValue)
            throw _source.Error(start + 12, $"original length {original} is not a possible packet length");
        long total = PcapFormat.RecordHeaderLength + (long)captured;
        if (!_source.MayHave(captured))
            throw _source.Truncated(start, "packet record", total);

        ReadOnlySpan<byte> data = _source.Read((int)captured);
        if (data.Length < captured)
            throw _source.Truncated(start, "packet record", total);

        long ns = seconds * 1_000_000_000L + fraction * (_nanoseconds ? 1L : 1000L);
        return new CaptureRecord(CaptureRecord.ToDateTime(ns), ns, 0, null, _linkType,
            (int)Math.Max(original, captured), data.ToArray());
    }
}

/// <summary>A format's reader: one record per call, null at a clean end of file.</summary>
internal interface IRecordReader
{
    CaptureRecord? Next();
}
