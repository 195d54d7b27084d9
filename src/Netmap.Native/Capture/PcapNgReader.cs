using System.Text;
using static Netmap.Native.Capture.PcapNgFormat;

namespace Netmap.Native.Capture;

/// <summary>
/// Reads pcapng files block by block: sections of either byte order, Interface Description Blocks
/// (if_name, if_tsresol as a power of 10 or of 2, if_tsoffset), Enhanced, Simple and obsolete
/// Packet Blocks; other block types are skipped.
/// </summary>
internal sealed class PcapNgReader(CaptureSource source) : IRecordReader
{
    private sealed record Interface(int Index, int LinkType, uint SnapLength, string? Name, TimestampResolution Clock);

    private readonly List<Interface> _interfaces = [];  // of the current section
    private int _interfacesInEarlierSections;
    private bool _inSection;
    private EndianReader _endian;
    private byte[] _block = new byte[4096];

    /// <summary>The next packet, or null at the end of the file.</summary>
    public CaptureRecord? Next()
    {
        while (true)
        {
            long start = source.Position;
            int length = ReadBlock(start);
            if (length == 0)
                return null;
            uint type = _endian.U32(_block, 0);
            var body = new ReadOnlySpan<byte>(_block, 8, length - BlockOverhead);
            CaptureRecord? record = type switch
            {
                SectionHeaderBlock => StartSection(body, start),
                InterfaceDescriptionBlock => AddInterface(body, start),
                EnhancedPacketBlock => EnhancedPacket(body, start),
                SimplePacketBlock => SimplePacket(body, start),
                ObsoletePacketBlock => ObsoletePacket(body, start),
                _ => null,
            };
            if (record is not null)
                return record;
        }
    }

    // Reads a whole block into _block and returns its length; 0 at a clean end of file.
    private int ReadBlock(long start)
    {
        int got = source.ReadInto(_block.AsSpan(0, BlockOverhead));
        if (got == 0)
        {
            if (!_inSection)
                throw source.Error(start, "the file is empty");
            return 0;
        }
        if (got < BlockOverhead)
            throw source.Truncated(start, "block header", BlockOverhead);

        uint type = _endian.U32(_block, 0); // the Section Header Block's type reads the same either way
        if (type == SectionHeaderBlock)
            _endian = SectionByteOrder(start);
        else if (!_inSection)
            throw source.Error(start, $"the file does not start with a Section Header Block (block type 0x{type:x8})");

        uint length = _endian.U32(_block, 4);
        string name = BlockName(type);
        if (length < BlockOverhead || length % 4 != 0 || length > CaptureSource.MaxBlockLength)
            throw source.Error(start + 4, $"the {name} starting at byte {start} declares a total length of {length} bytes, " +
                $"which is not a multiple of 4 between {BlockOverhead} and {CaptureSource.MaxBlockLength}");
        if (type == SectionHeaderBlock && length < 28)
            throw source.Error(start + 4, $"the Section Header Block declares a total length of {length} bytes, less than its 28-byte minimum");
        if (!source.MayHave(length - BlockOverhead))
            throw source.Truncated(start, name, length);

        if (_block.Length < length)
            Array.Resize(ref _block, (int)Math.Max(length, (uint)_block.Length * 2));
        if (source.ReadInto(_block.AsSpan(BlockOverhead, (int)length - BlockOverhead)) < length - BlockOverhead)
            throw source.Truncated(start, name, length);

        uint trailer = _endian.U32(_block, (int)length - 4);
        if (trailer != length)
            throw source.Error(start + length - 4, $"the {name} starting at byte {start} ends with the total length {trailer}, " +
                $"not the {length} it starts with");
        return (int)length;
    }

    private EndianReader SectionByteOrder(long start)
    {
        if (new EndianReader(false).U32(_block, 8) == ByteOrderMagic)
            return new EndianReader(false);
        if (new EndianReader(true).U32(_block, 8) == ByteOrderMagic)
            return new EndianReader(true);
        throw source.Error(start + 8, $"the Section Header Block's byte-order magic is 0x{new EndianReader(false).U32(_block, 8):x8}, not 0x{ByteOrderMagic:x8} in either byte order");
    }

    private CaptureRecord? StartSection(ReadOnlySpan<byte> body, long start)
    {
        ushort major = _endian.U16(body, 4), minor = _endian.U16(body, 6);
        if (major != VersionMajor)
            throw source.Error(start + 12, $"pcapng version {major}.{minor} is not supported (1.0 is)");
        _interfacesInEarlierSections += _interfaces.Count;
        _interfaces.Clear();
        _inSection = true;
        return null;
    }

    private CaptureRecord? AddInterface(ReadOnlySpan<byte> body, long start)
    {
        RequireFixedPart(body, 8, start, "Interface Description Block");
        string? name = null;
        byte tsresol = 6;
        long tsoffset = 0;
        ReadOnlySpan<byte> options = body[8..];
        long optionsStart = start + 16;
        for (int at = 0; at + 4 <= options.Length;)
        {
            ushort code = _endian.U16(options, at), length = _endian.U16(options, at + 2);
            if (code == EndOfOptions)
                break;
            if (length > options.Length - at - 4)
                throw source.Error(optionsStart + at, $"option {code} of the Interface Description Block starting at byte {start} " +
                    $"is {length} bytes long, but only {options.Length - at - 4} bytes of the block follow it");
            ReadOnlySpan<byte> value = options.Slice(at + 4, length);
            switch (code)
            {
                case IfName:
                    name = Encoding.UTF8.GetString(value).TrimEnd('\0');
                    break;
                case IfTimestampResolution when length == 1:
                    tsresol = value[0];
                    break;
                case IfTimestampOffset when length == 8:
                    tsoffset = (long)_endian.U64(value, 0);
                    break;
                case IfTimestampResolution or IfTimestampOffset:
                    throw source.Error(optionsStart + at, $"option {code} of the Interface Description Block starting at byte {start} " +
                        $"has length {length}, not {(code == IfTimestampResolution ? 1 : 8)}");
            }
            at += 4 + Pad4(length);
        }
        int index = _interfacesInEarlierSections + _interfaces.Count;
        _interfaces.Add(new Interface(index, _endian.U16(body, 0), _endian.U32(body, 4), name,
            TimestampResolution.FromOption(tsresol, tsoffset)));
        return null;
    }

    private CaptureRecord EnhancedPacket(ReadOnlySpan<byte> body, long start)
    {
        RequireFixedPart(body, 20, start, "Enhanced Packet Block");
        Interface face = InterfaceOf(_endian.U32(body, 0), start);
        ulong timestamp = (ulong)_endian.U32(body, 4) << 32 | _endian.U32(body, 8);
        return Packet(body, start, face, timestamp, capturedAt: 12, dataAt: 20);
    }

    private CaptureRecord ObsoletePacket(ReadOnlySpan<byte> body, long start)
    {
        RequireFixedPart(body, 20, start, "Packet Block");
        Interface face = InterfaceOf(_endian.U16(body, 0), start);
        ulong timestamp = (ulong)_endian.U32(body, 4) << 32 | _endian.U32(body, 8);
        return Packet(body, start, face, timestamp, capturedAt: 12, dataAt: 20);
    }

    // A Simple Packet Block has no timestamp and no captured length: it belongs to the first
    // interface and holds min(original length, snap length) bytes.
    private CaptureRecord SimplePacket(ReadOnlySpan<byte> body, long start)
    {
        RequireFixedPart(body, 4, start, "Simple Packet Block");
        Interface face = InterfaceOf(0, start);
        uint original = _endian.U32(body, 0);
        long captured = Math.Min(original, body.Length - 4L);
        if (face.SnapLength != 0)
            captured = Math.Min(captured, face.SnapLength);
        if (original > int.MaxValue)
            throw source.Error(start + 8, $"original length {original} is not a possible packet length");
        return new CaptureRecord(CaptureRecord.ToDateTime(0), 0, face.Index, face.Name, face.LinkType,
            (int)original, body.Slice(4, (int)captured).ToArray());
    }

    private CaptureRecord Packet(ReadOnlySpan<byte> body, long start, Interface face, ulong timestamp, int capturedAt, int dataAt)
    {
        uint captured = _endian.U32(body, capturedAt), original = _endian.U32(body, capturedAt + 4);
        if (captured > body.Length - dataAt)
            throw source.Error(start + 8 + capturedAt, $"captured length {captured} is more than the {body.Length - dataAt} bytes " +
                $"the {BlockName(_endian.U32(_block, 0))} starting at byte {start} has room for");
        if (original > int.MaxValue)
            throw source.Error(start + 8 + capturedAt + 4, $"original length {original} is not a possible packet length");
        long nanoseconds = face.Clock.ToNanoseconds(timestamp)
            ?? throw source.Error(start + 8 + capturedAt - 8, $"timestamp {timestamp} of interface {face.Index} is outside the years 1677 to 2262 that 64-bit nanoseconds since 1970 cover");
        return new CaptureRecord(CaptureRecord.ToDateTime(nanoseconds), nanoseconds, face.Index, face.Name, face.LinkType,
            (int)Math.Max(original, captured), body.Slice(dataAt, (int)captured).ToArray());
    }

    private Interface InterfaceOf(uint id, long start)
    {
        if (id >= _interfaces.Count)
            throw source.Error(start + 8, $"the packet block refers to interface {id}, but the section has described " +
                $"{_interfaces.Count} interface{(_interfaces.Count == 1 ? "" : "s")} so far");
        return _interfaces[(int)id];
    }

    private void RequireFixedPart(ReadOnlySpan<byte> body, int size, long start, string name)
    {
        if (body.Length < size)
            throw source.Error(start + 4, $"the {name} is {body.Length + BlockOverhead} bytes long, too short for its {size + BlockOverhead}-byte fixed part");
    }
}
