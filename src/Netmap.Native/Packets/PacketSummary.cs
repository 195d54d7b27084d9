namespace Netmap.Native.Packets;

/// <summary>Wireshark's columns for one packet: source, destination, protocol and info.</summary>
internal sealed record PacketSummary(string Source, string Destination, string Protocol, string Info)
{
    public string Line => $"{Source} > {Destination} {Protocol} {Info}";

    public static PacketSummary Of(NetmapPacket p)
    {
        if (!FrameDecoder.Reads(p.LinkType))
            return new("?", "?", $"LINKTYPE {p.LinkType}", $"{p.Length} bytes; layers are read for Ethernet (link type 1), raw IP (101, 228, 229) and Linux cooked (113, 276) frames");
        var eth = p.Ethernet;
        if (eth is null && p.Ip is null && p.Arp is null)
            return p.LinkType == LinkTypes.Ethernet ? new("?", "?", "Unknown", $"{p.Length} bytes, too short for an Ethernet header")
                : new("?", "?", $"LINKTYPE {p.LinkType}", $"{p.Length} bytes, no IP or ARP header{(p.TruncatedLayer is { } where ? $" ({where} header cut short by the capture)" : "")}");
        // frames without an Ethernet header (raw IP, Linux cooked) have no MACs to show
        string srcMac = eth is null ? "?" : Mac.Format(eth.Source), dstMac = eth is null ? "?" : Mac.Format(eth.Destination);
        string cut = p.TruncatedLayer is { } layer ? $" [{layer} header cut short by the capture]" : "";
        if (p.Arp is { } arp)
            return new(srcMac, dstMac, "ARP", arp.Operation switch
            {
                1 => $"Who has {arp.TargetProtocolAddress}? Tell {arp.SenderProtocolAddress}",
                2 => $"{arp.SenderProtocolAddress} is at {(arp.SenderHardwareAddress is { } mac ? Mac.Format(mac) : "?")}",
                _ => $"operation {arp.Operation}",
            });
        string vlan = p.Vlan is { } v ? $"VLAN {v.VlanIdentifier}, " : "";
        ushort type = p.Vlans.Count > 0 ? p.Vlans[^1].Type : eth?.Type ?? 0;
        if (p.Ip is not { } ip) return new(srcMac, dstMac, type <= 1500 ? "LLC" : $"0x{type:x4}", $"{vlan}Ethernet frame, {p.Length} bytes{cut}");
        string src = ip.SourceAddress.ToString(), dst = ip.DestinationAddress.ToString();
        if (p.Dns is { } dns)
            return new(src, dst, dns.Multicast ? "MDNS" : "DNS", vlan + DnsDecoder.Info(dns));
        if (p.TruncatedLayer == "Dns" && (p.Udp ?? (PacketLayer?)p.Tcp) is { } carrier)
        {
            var (sport, dport) = carrier is UdpLayer u ? (u.SourcePort, u.DestinationPort) : (p.Tcp!.SourcePort, p.Tcp.DestinationPort);
            return new(src, dst, sport == 5353 || dport == 5353 ? "MDNS" : "DNS", $"{vlan}{sport} → {dport} [Malformed: fewer bytes than a DNS header]");
        }
        if (p.Udp is { } udp)
            return new(src, dst, "UDP", $"{vlan}{udp.SourcePort} → {udp.DestinationPort} Len={udp.Length - 8}");
        if (p.Tcp is { } tcp)
            return new(src, dst, "TCP", $"{vlan}{tcp.SourcePort} → {tcp.DestinationPort} [{TcpFlags(tcp)}] Seq={tcp.SequenceNumber} Len={tcp.PayloadData.Length}");
        if (p.Icmp is { } icmp) return new(src, dst, icmp.Version == 6 ? "ICMPv6" : "ICMP", $"{vlan}type {icmp.Type} code {icmp.Code}");
        string fragment = ip.IsFragment ? $" fragment at {ip.FragmentOffset}" : "";
        return new(src, dst, ip.Version == 6 ? "IPv6" : "IPv4", $"{vlan}protocol {ip.Protocol}{fragment}{cut}");
    }

    private static string TcpFlags(TcpLayer t)
    {
        var flags = new List<string>();
        if (t.Syn) flags.Add("SYN");
        if (t.Fin) flags.Add("FIN");
        if (t.Rst) flags.Add("RST");
        if (t.Psh) flags.Add("PSH");
        if (t.Ack) flags.Add("ACK");
        if (t.Urg) flags.Add("URG");
        if (t.Ece) flags.Add("ECE");
        if (t.Cwr) flags.Add("CWR");
        return string.Join(", ", flags);
    }
}
