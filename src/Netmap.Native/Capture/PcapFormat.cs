namespace Netmap.Native.Capture;

/// <summary>Constants of the classic libpcap file format (draft-ietf-opsawg-pcap).</summary>
internal static class PcapFormat
{
    /// <summary>Magic of files with microsecond timestamps, as the writer's byte order has it.</summary>
    public const uint MicrosecondMagic = 0xa1b2c3d4;

    /// <summary>Magic of files with nanosecond timestamps.</summary>
    public const uint NanosecondMagic = 0xa1b23c4d;

    public const int FileHeaderLength = 24;
    public const int RecordHeaderLength = 16;
    public const ushort VersionMajor = 2, VersionMinor = 4;

    /// <summary>The link type is in the low bits of the header's LinkType field; FCS information is above (LT_LINKTYPE).</summary>
    public const uint LinkTypeMask = 0x03ffffff;
}

/// <summary>Block types and option codes of pcapng (draft-ietf-opsawg-pcapng).</summary>
internal static class PcapNgFormat
{
    public const uint SectionHeaderBlock = 0x0a0d0d0a;
    public const uint InterfaceDescriptionBlock = 0x00000001;
    public const uint ObsoletePacketBlock = 0x00000002;
    public const uint SimplePacketBlock = 0x00000003;
    public const uint EnhancedPacketBlock = 0x00000006;

    /// <summary>The Section Header Block's byte-order magic, as the writer's byte order has it.</summary>
    public const uint ByteOrderMagic = 0x1a2b3c4d;

    public const ushort VersionMajor = 1, VersionMinor = 0;

    public const ushort EndOfOptions = 0;
    public const ushort ShbUserApplication = 4;
    public const ushort IfName = 2;
    public const ushort IfTimestampResolution = 9;
    public const ushort IfTimestampOffset = 14;

    /// <summary>Type, total length, and the trailing copy of the total length.</summary>
    public const int BlockOverhead = 12;

    public static int Pad4(int length) => (length + 3) & ~3;

    public static string BlockName(uint type) => type switch
    {
        SectionHeaderBlock => "Section Header Block",
        InterfaceDescriptionBlock => "Interface Description Block",
        ObsoletePacketBlock => "Packet Block",
        SimplePacketBlock => "Simple Packet Block",
        EnhancedPacketBlock => "Enhanced Packet Block",
        _ => $"block of type 0x{type:x8}",
    };
}
