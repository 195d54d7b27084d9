using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;

namespace Netmap.Native.Packets;

/// <summary>The layers FrameDecoder found in one frame; a layer the frame does not have (or whose header was cut) is null.</summary>
public sealed class FrameLayers
{
    public EthernetLayer? Ethernet { get; internal set; }
    public IReadOnlyList<VlanLayer> Vlans => _vlans ?? (IReadOnlyList<VlanLayer>)Array.Empty<VlanLayer>();
    private List<VlanLayer>? _vlans;
    internal void AddVlan(VlanLayer tag) => (_vlans ??= []).Add(tag);
    public ArpLayer? Arp { get; internal set; }
    public IpLayer? Ip { get; internal set; }
    public UdpLayer? Udp { get; internal set; }
    public TcpLayer? Tcp { get; internal set; }
    public IcmpLayer? Icmp { get; internal set; }
    /// <summary>DNS, decoded on first use (Where Udp.DstPort -eq 53 never pays for it).</summary>
    public DnsLayer? Dns
    {
        get
        {
            if (_dnsCarrier is not null)
            {
                _dns = DnsDecoder.Decode(_dnsCarrier.Frame.AsSpan(_dnsCarrier.PayloadOffset, _dnsCarrier.PayloadLength), _dnsCarrier is TcpLayer, _dnsMulticast);
                _dnsCarrier = null;
            }
            return _dns;
        }
    }

    private DnsLayer? _dns;
    private PacketLayer? _dnsCarrier;
    private bool _dnsMulticast;

    internal void SetDns(PacketLayer carrier, bool multicast) => (_dnsCarrier, _dnsMulticast) = (carrier, multicast);
    /// <summary>The layer whose header the captured bytes ended inside (it is absent), or null.</summary>
    public string? TruncatedLayer { get; internal set; }
}

/// <summary>
/// Reads the layers of a frame: Ethernet, raw IP (LINKTYPE_RAW, IPV4, IPV6) or a Linux cooked capture
/// (SLL, SLL2), whose link header is skipped. This is the one place where NetmapPS corrects PacketDotNet
/// 1.4.8 (the newest release), whose layers disagree with Wireshark on ordinary traffic:
/// <list type="bullet">
/// <item>it returns 16-bit fields as signed numbers (an urgent pointer of 47027 reads -18509, a UDP
/// length of 40000 reads -25536), so every field here is read unsigned;</item>
/// <item>it finds the IPv6 upper layer only after a single extension header, so with two or more it
/// parses the transport at the wrong offset; here the whole chain (hop-by-hop, routing, fragment,
/// destination options, AH, in any order) is walked and the transport read after it, and a non-first
/// fragment (IPv4 or IPv6) has no transport layer;</item>
/// <item>it reads past the captured bytes (a 13-byte frame gets an EtherType and a VLAN tag) and
/// half-fills layers whose header was cut; here a layer exists only when its whole header was
/// captured, and one whose announced length runs past the capture says Truncated.</item>
/// </list>
/// PacketDotNet's own parse stays available, unchanged, as NetmapPacket.Parsed. The differential test
/// (PacketTsharkAgreementTests) compares every field here with tshark on generated frames.
/// </summary>
public static class FrameDecoder
{
    /// <summary>True for the link types whose frames <see cref="Decode"/> reads: Ethernet, raw IP and Linux cooked captures.</summary>
    public static bool Reads(int linkType) => linkType is LinkTypes.Ethernet or LinkTypes.Raw or LinkTypes.Ipv4 or LinkTypes.Ipv6 or LinkTypes.LinuxSll or LinkTypes.LinuxSll2;

    /// <summary>The layers of a frame of <paramref name="linkType"/> (a LINKTYPE_ value); none for a link type it does not read.</summary>
    public static FrameLayers Decode(byte[] frame, int linkType = LinkTypes.Ethernet)
    {
        var layers = new FrameLayers();
        ReadOnlySpan<byte> d = frame;
        switch (linkType)
        {
            case LinkTypes.Ethernet:
                if (d.Length < 14) { layers.TruncatedLayer = "Ethernet"; break; }
                layers.Ethernet = new EthernetLayer { Offset = 0, HeaderLength = 14, Frame = frame, Type = U16(d, 12) };
                Network(frame, U16(d, 12), 14, layers);
                break;
            case LinkTypes.Raw or LinkTypes.Ipv4 or LinkTypes.Ipv6:
                // the IP header first; its version says which (tshark reads LINKTYPE_RAW the same way)
                if (d.Length < 1) { layers.TruncatedLayer = "Ip"; break; }
                int version = d[0] >> 4;
                if (version == 4 && linkType != LinkTypes.Ipv6) Ipv4(frame, 0, layers);
                else if (version == 6 && linkType != LinkTypes.Ipv4) Ipv6(frame, 0, layers);
                break;
            case LinkTypes.LinuxSll:
                // 16 bytes: packet type, ARPHRD type, address length, 8 address bytes, then the EtherType
                if (d.Length < 16) { layers.TruncatedLayer = "LinuxSll"; break; }
                Network(frame, U16(d, 14), 16, layers);
                break;
            case LinkTypes.LinuxSll2:
                // 20 bytes: the EtherType first, then reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes
                if (d.Length < 20) { layers.TruncatedLayer = "LinuxSll2"; break; }
                Network(frame, U16(d, 0), 20, layers);
                break;
        }
        return layers;
    }

    /// <summary>The VLAN tags and the network layer after a link header that ended with EtherType <paramref name="type"/>.</summary>
    private static void Network(byte[] frame, ushort type, int offset, FrameLayers layers)
    {
        ReadOnlySpan<byte> d = frame;
        while (type is 0x8100 or 0x88a8)
        {
            if (d.Length < offset + 4) { layers.TruncatedLayer = "Vlan"; return; }
            ushort tci = U16(d, offset), next = U16(d, offset + 2);
            layers.AddVlan(new VlanLayer
            {
                Offset = offset - 2, HeaderLength = 4, TagProtocol = type,
                Priority = (byte)(tci >> 13), DropEligible = (tci & 0x1000) != 0, VlanIdentifier = (ushort)(tci & 0x0fff), Type = next,
            });
            type = next;
            offset += 4;
        }
        switch (type)
        {
            case 0x0806: Arp(d, offset, layers); break;
            case 0x0800: Ipv4(frame, offset, layers); break;
            case 0x86dd: Ipv6(frame, offset, layers); break;
        }
    }

    private static void Arp(ReadOnlySpan<byte> d, int o, FrameLayers layers)
    {
        if (d.Length < o + 8) { layers.TruncatedLayer = "Arp"; return; }
        byte hs = d[o + 4], ps = d[o + 5];
        int length = 8 + 2 * (hs + ps);
        if (d.Length < o + length) { layers.TruncatedLayer = "Arp"; return; }
        int a = o + 8;
        layers.Arp = new ArpLayer
        {
            Offset = o, HeaderLength = length,
            HardwareType = U16(d, o), ProtocolType = U16(d, o + 2), HardwareSize = hs, ProtocolSize = ps, Operation = U16(d, o + 6),
            SenderHardwareAddressBytes = d.Slice(a, hs).ToArray(), SenderProtocolAddressBytes = d.Slice(a + hs, ps).ToArray(),
            TargetHardwareAddressBytes = d.Slice(a + hs + ps, hs).ToArray(), TargetProtocolAddressBytes = d.Slice(a + 2 * hs + ps, ps).ToArray(),
        };
    }

    private static void Ipv4(byte[] frame, int o, FrameLayers layers)
    {
        ReadOnlySpan<byte> d = frame;
        if (d.Length < o + 20) { layers.TruncatedLayer = "Ip"; return; }
        int ihl = (d[o] & 0x0f) * 4;
        if (d[o] >> 4 != 4 || ihl < 20) return; // not IPv4: no layer (tshark: bogus version or header length)
        if (d.Length < o + ihl) { layers.TruncatedLayer = "Ip"; return; }
        ushort total = U16(d, o + 2), fragment = U16(d, o + 6);
        var ip = new Ipv4Layer
        {
            Offset = o, HeaderLength = ihl, Frame = frame,
            DifferentiatedServices = d[o + 1], TotalLength = total, Identification = U16(d, o + 4),
            Flags = (byte)(fragment >> 13), FragmentOffsetField = (ushort)(fragment & 0x1fff),
            TimeToLive = d[o + 8], Protocol = d[o + 9], Checksum = U16(d, o + 10),
            Truncated = o + total > d.Length,
        };
        layers.Ip = ip;
        if (total < ihl) return; // a total length shorter than the header: nothing after it can be trusted
        if (ip.FragmentOffsetField == 0)
            Transport(frame, Math.Min(d.Length, o + total), o + ihl, ip.Protocol, 4, layers);
    }

    private static void Ipv6(byte[] frame, int o, FrameLayers layers)
    {
        ReadOnlySpan<byte> d = frame;
        if (d.Length < o + 40) { layers.TruncatedLayer = "Ip"; return; }
        if (d[o] >> 4 != 6) return;
        uint first = BinaryPrimitives.ReadUInt32BigEndian(d[o..]);
        ushort payload = U16(d, o + 4);
        int end = Math.Min(d.Length, o + 40 + payload);
        byte next = d[o + 6];
        var headers = new List<Ipv6ExtensionHeader>();
        int at = o + 40;
        bool cut = false, transport = true;
        while (next is 0 or 43 or 44 or 60 or 51)
        {
            int minimum = next is 44 ? 8 : next is 51 ? 12 : 2;
            if (end < at + minimum) { cut = true; break; }
            int length = next switch { 44 => 8, 51 => (d[at + 1] + 2) * 4, _ => (d[at + 1] + 1) * 8 };
            if (end < at + length) { cut = true; break; }
            ushort fragment = U16(d, at + 2);
            headers.Add(new Ipv6ExtensionHeader
            {
                Type = next, NextHeader = d[at], Length = length, Offset = at,
                RoutingType = next == 43 ? d[at + 2] : null, SegmentsLeft = next == 43 ? d[at + 3] : null,
                FragmentOffset = next == 44 ? (uint)(fragment & 0xfff8) : null, MoreFragments = next == 44 ? (fragment & 1) != 0 : null,
                Identification = next == 44 ? BinaryPrimitives.ReadUInt32BigEndian(d[(at + 4)..]) : null,
                Spi = next == 51 ? BinaryPrimitives.ReadUInt32BigEndian(d[(at + 4)..]) : null,
                Sequence = next == 51 ? BinaryPrimitives.ReadUInt32BigEndian(d[(at + 8)..]) : null,
            });
            next = d[at];
            at += length;
            if (headers[^1].Type == 44 && (fragment & 0xfff8) != 0)
            {
                // a later fragment: what follows its header is fragment data, not more headers nor a transport header
                transport = false;
                break;
            }
        }
        layers.Ip = new Ipv6Layer
        {
            Offset = o, HeaderLength = at - o, Frame = frame,
            TrafficClass = (byte)(first >> 20), FlowLabel = first & 0xfffff, PayloadLength = payload, NextHeader = d[o + 6],
            TimeToLive = d[o + 7],
            ExtensionHeaders = headers, Protocol = next,
            Truncated = cut || o + 40 + payload > d.Length,
        };
        if (transport && !cut)
            Transport(frame, end, at, next, 6, layers);
    }

    /// <summary>The transport header at <paramref name="o"/>; <paramref name="end"/> is where the IP payload ends (or the capture, if sooner).</summary>
    private static void Transport(byte[] frame, int end, int o, byte protocol, int ipVersion, FrameLayers layers)
    {
        ReadOnlySpan<byte> d = frame.AsSpan(0, end);
        switch (protocol)
        {
            case 17:
                if (d.Length < o + 8) { layers.TruncatedLayer = "Udp"; return; }
                ushort length = U16(d, o + 4);
                layers.Udp = new UdpLayer
                {
                    Offset = o, HeaderLength = 8, SourcePort = U16(d, o), DestinationPort = U16(d, o + 2), Length = length, Checksum = U16(d, o + 6),
                    Frame = frame, PayloadOffset = o + 8, PayloadLength = length < 8 ? 0 : Math.Min(d.Length, o + length) - (o + 8),
                    Truncated = o + length > d.Length,
                };
                if (DnsDecoder.IsDnsPort(layers.Udp.SourcePort, layers.Udp.DestinationPort) && layers.Udp.PayloadLength > 0)
                    Dns(layers, layers.Udp, frame.AsSpan(layers.Udp.PayloadOffset, layers.Udp.PayloadLength), layers.Udp.SourcePort, layers.Udp.DestinationPort);
                break;
            case 6:
                if (d.Length < o + 20) { layers.TruncatedLayer = "Tcp"; return; }
                int header = (d[o + 12] >> 4) * 4;
                if (header < 20) return; // tshark: bogus header length, nothing more
                if (d.Length < o + header) { layers.TruncatedLayer = "Tcp"; return; }
                var (options, malformed) = TcpOptions(d[(o + 20)..(o + header)]);
                layers.Tcp = new TcpLayer
                {
                    Offset = o, HeaderLength = header, SourcePort = U16(d, o), DestinationPort = U16(d, o + 2),
                    SequenceNumber = BinaryPrimitives.ReadUInt32BigEndian(d[(o + 4)..]), AcknowledgmentNumber = BinaryPrimitives.ReadUInt32BigEndian(d[(o + 8)..]),
                    DataOffset = (byte)(header / 4), Flags = (ushort)(U16(d, o + 12) & 0x0fff), WindowSize = U16(d, o + 14),
                    Checksum = U16(d, o + 16), UrgentPointer = U16(d, o + 18), Options = options, OptionsMalformed = malformed,
                    Frame = frame, PayloadOffset = o + header, PayloadLength = d.Length - (o + header),
                };
                if (DnsDecoder.IsDnsPort(layers.Tcp.SourcePort, layers.Tcp.DestinationPort) && layers.Tcp.PayloadLength > 0)
                    Dns(layers, layers.Tcp, frame.AsSpan(layers.Tcp.PayloadOffset, layers.Tcp.PayloadLength), layers.Tcp.SourcePort, layers.Tcp.DestinationPort);
                break;
            case 1 when ipVersion == 4:
            case 58 when ipVersion == 6:
                if (d.Length < o + 8) { layers.TruncatedLayer = "Icmp"; return; }
                byte type = d[o];
                bool echo = ipVersion == 4 ? type is 0 or 8 : type is 128 or 129;
                layers.Icmp = new IcmpLayer
                {
                    Offset = o, HeaderLength = 8, Version = (byte)ipVersion, Type = type, Code = d[o + 1], Checksum = U16(d, o + 2),
                    Identifier = echo ? U16(d, o + 4) : null, Sequence = echo ? U16(d, o + 6) : null,
                    Frame = frame, PayloadOffset = o + 8, PayloadLength = d.Length - (o + 8),
                };
                break;
        }
    }

    private static (IReadOnlyList<TcpOption>, bool Malformed) TcpOptions(ReadOnlySpan<byte> b)
    {
        if (b.IsEmpty) return (Array.Empty<TcpOption>(), false);
        var options = new List<TcpOption>();
        int i = 0;
        while (i < b.Length)
        {
            byte kind = b[i];
            if (kind is 0 or 1)
            {
                // EOL and NOP are one byte; like tshark, bytes after an EOL are read as options too (padding reads as more EOLs)
                options.Add(new TcpOption(kind, 1, []));
                i++;
                continue;
            }
            if (i + 1 >= b.Length || b[i + 1] < 2 || i + b[i + 1] > b.Length) return (options, true);
            int length = b[i + 1];
            options.Add(new TcpOption(kind, length, b.Slice(i + 2, length - 2).ToArray()));
            i += length;
        }
        return (options, false);
    }

    private static void Dns(FrameLayers layers, PacketLayer carrier, ReadOnlySpan<byte> payload, ushort source, ushort destination)
    {
        if (DnsDecoder.HasHeader(payload, overTcp: carrier is TcpLayer)) layers.SetDns(carrier, multicast: source == 5353 || destination == 5353);
        else layers.TruncatedLayer = "Dns"; // fewer bytes than a DNS header (tshark: DNS, malformed)
    }

    private static ushort U16(ReadOnlySpan<byte> d, int offset) => BinaryPrimitives.ReadUInt16BigEndian(d[offset..]);
}
