using System.Net;
using System.Net.NetworkInformation;

namespace Netmap.Native.Packets;

// The layers a packet shows (NetmapPacket.Ethernet, .Ip, .Udp...), read by FrameDecoder. Every number
// is unsigned, as on the wire and as tshark shows it. A layer exists only when its whole header was
// captured; Truncated says that what the header announces (its payload) runs past the captured bytes.
// Names follow PacketDotNet where it has one, with tcpdump's short names (Src, Dst, SrcPort, DstPort) beside.

/// <summary>What every layer has: where its header starts in the frame, how long it is, and whether its content was cut.</summary>
public abstract class PacketLayer
{
    /// <summary>Offset of the layer's first byte in the frame.</summary>
    public int Offset { get; init; }
    /// <summary>Bytes of header (options and extension headers included).</summary>
    public int HeaderLength { get; init; }
    /// <summary>True when the length the header announces runs past the bytes that were captured.</summary>
    public bool Truncated { get; internal set; }

    /// <summary>The frame's bytes (never changed): addresses and payloads are made from them on first use.</summary>
    internal byte[] Frame { get; init; } = [];
    internal int PayloadOffset { get; init; }
    internal int PayloadLength { get; init; }
    private byte[]? _payload;
    /// <summary>The captured bytes after the header (for IP: up to the announced length), copied on first use.</summary>
    private protected byte[] Payload => _payload ??= Frame.AsSpan(PayloadOffset, PayloadLength).ToArray();
}

public sealed class EthernetLayer : PacketLayer
{
    private PhysicalAddress? _destination, _source;
    public PhysicalAddress Destination => _destination ??= new PhysicalAddress(Frame.AsSpan(Offset, 6).ToArray());
    public PhysicalAddress Source => _source ??= new PhysicalAddress(Frame.AsSpan(Offset + 6, 6).ToArray());
    /// <summary>The EtherType (or 802.3 length, 1500 or less) right after the addresses.</summary>
    public ushort Type { get; init; }
    public PhysicalAddress Src => Source;
    public PhysicalAddress Dst => Destination;
    public PhysicalAddress SourceHardwareAddress => Source;
    public PhysicalAddress DestinationHardwareAddress => Destination;
    public override string ToString() => $"Ethernet {Mac.Format(Source)} > {Mac.Format(Destination)} type 0x{Type:x4}";
}

/// <summary>An 802.1Q (0x8100) or 802.1ad (0x88a8) tag.</summary>
public sealed class VlanLayer : PacketLayer
{
    /// <summary>The tag protocol identifier that announced this tag.</summary>
    public ushort TagProtocol { get; init; }
    public byte Priority { get; init; }
    public bool DropEligible { get; init; }
    public ushort VlanIdentifier { get; init; }
    public ushort Id => VlanIdentifier;
    /// <summary>The EtherType after the tag.</summary>
    public ushort Type { get; init; }
    public override string ToString() => $"VLAN {VlanIdentifier} priority {Priority} type 0x{Type:x4}";
}

public sealed class ArpLayer : PacketLayer
{
    public ushort HardwareType { get; init; }
    public ushort ProtocolType { get; init; }
    public byte HardwareSize { get; init; }
    public byte ProtocolSize { get; init; }
    /// <summary>1 request, 2 reply.</summary>
    public ushort Operation { get; init; }
    public byte[] SenderHardwareAddressBytes { get; init; } = [];
    public byte[] SenderProtocolAddressBytes { get; init; } = [];
    public byte[] TargetHardwareAddressBytes { get; init; } = [];
    public byte[] TargetProtocolAddressBytes { get; init; } = [];
    /// <summary>The sender's MAC when the hardware addresses are 6 bytes, else null.</summary>
    public PhysicalAddress? SenderHardwareAddress => HardwareSize == 6 ? new PhysicalAddress(SenderHardwareAddressBytes) : null;
    public PhysicalAddress? TargetHardwareAddress => HardwareSize == 6 ? new PhysicalAddress(TargetHardwareAddressBytes) : null;
    /// <summary>The sender's IPv4 address when the protocol is IPv4 with 4-byte addresses, else null.</summary>
    public IPAddress? SenderProtocolAddress => IsIpv4 ? new IPAddress(SenderProtocolAddressBytes) : null;
    public IPAddress? TargetProtocolAddress => IsIpv4 ? new IPAddress(TargetProtocolAddressBytes) : null;
    public IPAddress? Src => SenderProtocolAddress;
    public IPAddress? Dst => TargetProtocolAddress;
    private bool IsIpv4 => ProtocolType == 0x0800 && ProtocolSize == 4;
    public override string ToString() => $"ARP operation {Operation} {SenderProtocolAddress} > {TargetProtocolAddress}";
}

/// <summary>IPv4 or IPv6: what both have.</summary>
public abstract class IpLayer : PacketLayer
{
    public abstract byte Version { get; }
    private IPAddress? _source, _destination;
    public IPAddress SourceAddress => _source ??= new IPAddress(Frame.AsSpan(Offset + (Version == 4 ? 12 : 8), Version == 4 ? 4 : 16));
    public IPAddress DestinationAddress => _destination ??= new IPAddress(Frame.AsSpan(Offset + (Version == 4 ? 16 : 24), Version == 4 ? 4 : 16));
    public IPAddress Src => SourceAddress;
    public IPAddress Dst => DestinationAddress;
    /// <summary>The protocol of the payload: for IPv6, the header after the last extension header.</summary>
    public byte Protocol { get; init; }
    /// <summary>IPv4 time to live, IPv6 hop limit.</summary>
    public byte TimeToLive { get; init; }
    /// <summary>Byte offset of this fragment in the original datagram (0 when not fragmented).</summary>
    public abstract uint FragmentOffset { get; }
    public abstract bool MoreFragments { get; }
    /// <summary>True for any fragment; only the first (offset 0) carries the transport header.</summary>
    public bool IsFragment => FragmentOffset != 0 || MoreFragments;
    public override string ToString() => $"IPv{Version} {SourceAddress} > {DestinationAddress} protocol {Protocol}";
}

public sealed class Ipv4Layer : IpLayer
{
    public override byte Version => 4;
    public byte DifferentiatedServices { get; init; }
    public ushort TotalLength { get; init; }
    public ushort Identification { get; init; }
    public ushort Id => Identification;
    /// <summary>The three flag bits: 4 reserved, 2 don't fragment, 1 more fragments.</summary>
    public byte Flags { get; init; }
    public bool DontFragment => (Flags & 2) != 0;
    public override bool MoreFragments => (Flags & 1) != 0;
    /// <summary>The 13-bit fragment offset field, in units of 8 bytes.</summary>
    public ushort FragmentOffsetField { get; init; }
    public override uint FragmentOffset => FragmentOffsetField * 8u;
    public ushort Checksum { get; init; }
    private byte[]? _options;
    /// <summary>The option bytes between the fixed header and the payload.</summary>
    public byte[] Options => _options ??= Frame.AsSpan(Offset + 20, HeaderLength - 20).ToArray();
}

/// <summary>An IPv6 extension header: hop-by-hop (0), routing (43), fragment (44), destination options (60) or AH (51).</summary>
public sealed class Ipv6ExtensionHeader
{
    public byte Type { get; init; }
    public byte NextHeader { get; init; }
    /// <summary>Bytes in all.</summary>
    public int Length { get; init; }
    public int Offset { get; init; }
    public byte? RoutingType { get; init; }
    public byte? SegmentsLeft { get; init; }
    /// <summary>Fragment header: offset in bytes, more-fragments bit, identification.</summary>
    public uint? FragmentOffset { get; init; }
    public bool? MoreFragments { get; init; }
    public uint? Identification { get; init; }
    /// <summary>AH: security parameters index and sequence number.</summary>
    public uint? Spi { get; init; }
    public uint? Sequence { get; init; }
    public string Name => Type switch { 0 => "HopByHop", 43 => "Routing", 44 => "Fragment", 60 => "DestinationOptions", 51 => "AH", _ => $"Header{Type}" };
    public override string ToString() => $"{Name} ({Length} bytes)";
}

public sealed class Ipv6Layer : IpLayer
{
    public override byte Version => 6;
    public byte TrafficClass { get; init; }
    public uint FlowLabel { get; init; }
    public ushort PayloadLength { get; init; }
    /// <summary>The next-header field of the fixed header (the first extension header, if any).</summary>
    public byte NextHeader { get; init; }
    public byte HopLimit => TimeToLive;
    public IReadOnlyList<Ipv6ExtensionHeader> ExtensionHeaders { get; init; } = [];
    public int ExtensionHeadersLength => ExtensionHeaders.Sum(h => h.Length);
    private Ipv6ExtensionHeader? Fragment => ExtensionHeaders.FirstOrDefault(h => h.Type == 44);
    public override uint FragmentOffset => Fragment?.FragmentOffset ?? 0;
    public override bool MoreFragments => Fragment?.MoreFragments ?? false;
}

public sealed class UdpLayer : PacketLayer
{
    public ushort SourcePort { get; init; }
    public ushort DestinationPort { get; init; }
    public ushort SrcPort => SourcePort;
    public ushort DstPort => DestinationPort;
    public ushort Length { get; init; }
    public ushort Checksum { get; init; }
    /// <summary>The payload bytes that were captured.</summary>
    public byte[] PayloadData => Payload;
    public override string ToString() => $"UDP {SourcePort} > {DestinationPort} length {Length}";
}

/// <summary>A TCP option: kind, total length (1 for EOL and NOP) and the bytes after kind and length.</summary>
public sealed record TcpOption(byte Kind, int Length, byte[] Data);

public sealed class TcpLayer : PacketLayer
{
    public ushort SourcePort { get; init; }
    public ushort DestinationPort { get; init; }
    public ushort SrcPort => SourcePort;
    public ushort DstPort => DestinationPort;
    public uint SequenceNumber { get; init; }
    public uint AcknowledgmentNumber { get; init; }
    /// <summary>Header length in 32-bit words.</summary>
    public byte DataOffset { get; init; }
    /// <summary>The 12 bits after the data offset: 0x800-0x200 reserved, 0x100 AE, 0x80 CWR, 0x40 ECE, 0x20 URG, 0x10 ACK, 0x08 PSH, 0x04 RST, 0x02 SYN, 0x01 FIN.</summary>
    public ushort Flags { get; init; }
    public bool Fin => (Flags & 0x001) != 0;
    public bool Syn => (Flags & 0x002) != 0;
    public bool Rst => (Flags & 0x004) != 0;
    public bool Psh => (Flags & 0x008) != 0;
    public bool Ack => (Flags & 0x010) != 0;
    public bool Urg => (Flags & 0x020) != 0;
    public bool Ece => (Flags & 0x040) != 0;
    public bool Cwr => (Flags & 0x080) != 0;
    /// <summary>AE (accurate ECN, once NS).</summary>
    public bool Ae => (Flags & 0x100) != 0;
    /// <summary>The three reserved bits (0 to 7).</summary>
    public byte Reserved => (byte)(Flags >> 9);
    // The names PacketDotNet's TcpPacket gives the same flags, so that scripts written against it keep working.
    public bool Finished => Fin;
    public bool Synchronize => Syn;
    public bool Reset => Rst;
    public bool Push => Psh;
    public bool Acknowledgment => Ack;
    public bool Urgent => Urg;
    public bool ExplicitCongestionNotificationEcho => Ece;
    public bool CongestionWindowReduced => Cwr;
    public ushort WindowSize { get; init; }
    public ushort Checksum { get; init; }
    public ushort UrgentPointer { get; init; }
    /// <summary>The options in order; a malformed option ends the list (OptionsMalformed).</summary>
    public IReadOnlyList<TcpOption> Options { get; init; } = [];
    public bool OptionsMalformed { get; init; }
    public ushort? MaximumSegmentSize => Option(2, 4) is { } o ? (ushort)(o.Data[0] << 8 | o.Data[1]) : null;
    public byte? WindowScale => Option(3, 3)?.Data[0];
    public bool SackPermitted => Option(4, 2) is not null;
    public uint? TimestampValue => Option(8, 10) is { } o ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(o.Data) : null;
    public uint? TimestampEcho => Option(8, 10) is { } o ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(o.Data.AsSpan(4)) : null;
    public byte[] PayloadData => Payload;
    private TcpOption? Option(byte kind, int length) => Options.FirstOrDefault(o => o.Kind == kind && o.Length == length);
    public override string ToString() => $"TCP {SourcePort} > {DestinationPort} flags 0x{Flags:x3} seq {SequenceNumber}";
}

/// <summary>ICMP (Version 4) or ICMPv6 (Version 6).</summary>
public sealed class IcmpLayer : PacketLayer
{
    public byte Version { get; init; }
    public byte Type { get; init; }
    public byte Code { get; init; }
    public ushort Checksum { get; init; }
    /// <summary>Identifier and sequence number of echo requests and replies (null for other types).</summary>
    public ushort? Identifier { get; init; }
    public ushort? Sequence { get; init; }
    public ushort? Id => Identifier;
    public byte[] PayloadData => Payload;
    public bool IsEcho => Version == 4 ? Type is 0 or 8 : Type is 128 or 129;
    public override string ToString() => $"ICMP{(Version == 6 ? "v6" : "")} type {Type} code {Code}";
}

internal static class Mac
{
    public static string Format(PhysicalAddress address) => string.Join(':', address.GetAddressBytes().Select(b => b.ToString("x2")));
}
