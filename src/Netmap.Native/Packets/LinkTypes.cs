namespace Netmap.Native.Packets;

/// <summary>
/// Link-layer header types (LINKTYPE_ values, as capture files carry them: https://www.tcpdump.org/linktypes.html)
/// that NetmapPS reads layers from. Every netmap port carries Ethernet frames.
/// </summary>
public static class LinkTypes
{
    public const int Ethernet = 1;
    /// <summary>Raw IP: the frame starts with an IPv4 or IPv6 header (libpcap's DLT_RAW, 12 on Linux).</summary>
    public const int Raw = 101;
    /// <summary>Linux cooked capture v1 (tcpdump -i any): a 16-byte header ending with the EtherType.</summary>
    public const int LinuxSll = 113;
    /// <summary>Raw IPv4 only.</summary>
    public const int Ipv4 = 228;
    /// <summary>Raw IPv6 only.</summary>
    public const int Ipv6 = 229;
    /// <summary>Linux cooked capture v2: a 20-byte header starting with the EtherType.</summary>
    public const int LinuxSll2 = 276;
}
