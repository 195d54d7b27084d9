using System.Buffers.Binary;
using System.Text;
using PacketDotNet;

namespace Netmap.Native.Packets;

/// <summary>Wireshark's columns for one packet: source, destination, protocol and info.</summary>
internal sealed record PacketSummary(string Source, string Destination, string Protocol, string Info)
{
    public string Line => $"{Source} > {Destination} {Protocol} {Info}";

    public static PacketSummary Of(NetmapPacket p)
    {
        var eth = p.Ethernet;
        if (eth is null) return new("?", "?", "Unknown", $"{p.Length} bytes that do not parse as Ethernet");
        string srcMac = Mac(eth.SourceHardwareAddress.GetAddressBytes()), dstMac = Mac(eth.DestinationHardwareAddress.GetAddressBytes());
        if (p.Arp is { } arp)
            return new(srcMac, dstMac, "ARP", arp.Operation == ArpOperation.Request
                ? $"Who has {arp.TargetProtocolAddress}? Tell {arp.SenderProtocolAddress}"
                : $"{arp.SenderProtocolAddress} is at {Mac(arp.SenderHardwareAddress.GetAddressBytes())}");
        if (p.Ip is not { } ip) return new(srcMac, dstMac, $"0x{(ushort)eth.Type:x4}", $"Ethernet frame, {p.Length} bytes");
        string src = ip.SourceAddress.ToString(), dst = ip.DestinationAddress.ToString();
        string vlan = p.Vlan is { } v ? $"VLAN {v.VlanIdentifier}, " : "";
        if (p.Udp is { } udp)
        {
            if (udp.SourcePort == 53 || udp.DestinationPort == 53)
                return new(src, dst, "DNS", vlan + Dns(udp.PayloadData));
            return new(src, dst, "UDP", $"{vlan}{udp.SourcePort} → {udp.DestinationPort} Len={udp.PayloadData?.Length ?? 0}");
        }
        if (p.Tcp is { } tcp)
            return new(src, dst, "TCP", $"{vlan}{tcp.SourcePort} → {tcp.DestinationPort} [{TcpFlags(tcp)}] Seq={tcp.SequenceNumber} Len={tcp.PayloadData?.Length ?? 0}");
        if (p.Icmp is IcmpV4Packet icmp4) return new(src, dst, "ICMP", $"{vlan}{icmp4.TypeCode}");
        if (p.Icmp is IcmpV6Packet icmp6) return new(src, dst, "ICMPv6", $"{vlan}{icmp6.Type}");
        return new(src, dst, ip.Version == IPVersion.IPv6 ? "IPv6" : "IPv4", $"{vlan}protocol {ip.Protocol}");
    }

    private static string Mac(byte[] b) => string.Join(':', b.Select(x => x.ToString("x2")));

    private static string TcpFlags(TcpPacket t)
    {
        var flags = new List<string>();
        if (t.Synchronize) flags.Add("SYN");
        if (t.Finished) flags.Add("FIN");
        if (t.Reset) flags.Add("RST");
        if (t.Push) flags.Add("PSH");
        if (t.Acknowledgment) flags.Add("ACK");
        if (t.Urgent) flags.Add("URG");
        return string.Join(", ", flags);
    }

    /// <summary>"Standard query 0x1234 A example.test" or "Standard query response 0x1234 ...", from the DNS header and first question.</summary>
    private static string Dns(byte[]? m)
    {
        if (m is null || m.Length < 12) return "DNS, truncated";
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(m), flags = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(2));
        var text = new StringBuilder((flags & 0x8000) != 0 ? "Standard query response" : "Standard query").Append($" 0x{id:x4}");
        if (BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(4)) == 0) return text.ToString();
        var name = new StringBuilder();
        int i = 12;
        while (i < m.Length && m[i] != 0 && m[i] < 64 && i + 1 + m[i] <= m.Length)
        {
            if (name.Length > 0) name.Append('.');
            name.Append(Encoding.ASCII.GetString(m, i + 1, m[i]));
            i += 1 + m[i];
        }
        if (i + 3 > m.Length - 1) return text.Append(' ').Append(name).ToString();
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(i + 1));
        string typeName = type switch { 1 => "A", 2 => "NS", 5 => "CNAME", 6 => "SOA", 12 => "PTR", 15 => "MX", 16 => "TXT", 28 => "AAAA", 33 => "SRV", 255 => "ANY", _ => $"TYPE{type}" };
        return text.Append(' ').Append(typeName).Append(' ').Append(name).ToString();
    }
}
