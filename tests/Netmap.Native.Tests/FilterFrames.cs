using System.Buffers.Binary;
using System.Net;

namespace Netmap.Native.Tests;

/// <summary>A test frame: captured bytes (possibly cut short), its length on the wire, and what it is.</summary>
internal sealed record TestFrame(byte[] Data, int WireLength, string Description);

/// <summary>
/// Builds varied Ethernet frames by hand, deterministically from a seed: IPv4 (with and without
/// options, fragments), IPv6, UDP (DNS on port 53 among others), TCP with assorted flags, ICMP,
/// ICMPv6, ARP, 802.1Q-tagged frames, other EtherTypes, 802.3 length frames, and captures cut short.
/// </summary>
internal static class FilterFrames
{
    private static readonly byte[][] Macs =
    [
        [0x02, 0, 0, 0, 0, 0x01], [0x02, 0, 0, 0, 0, 0x02], [0x02, 0, 0, 0, 0, 0x03], [0x02, 0, 0, 0, 0, 0x10],
    ];
    private static readonly byte[] Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    private static readonly byte[][] V4 = new[] { "10.0.0.1", "10.0.0.2", "10.0.0.200", "10.0.1.1", "192.168.1.10", "172.16.0.5" }
        .Select(a => IPAddress.Parse(a).GetAddressBytes()).ToArray();
    private static readonly byte[][] V6 = new[] { "fd00::1", "fd00::2", "2001:db8::53", "fe80::1" }
        .Select(a => IPAddress.Parse(a).GetAddressBytes()).ToArray();
    private static readonly int[] Ports = [53, 53, 80, 443, 50, 55, 60, 61, 49, 1234, 5353, 33000];
    private static readonly byte[] TcpFlagSets = [0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x29, 0x00, 0xc2];

    public static List<TestFrame> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var frames = new List<TestFrame>(count);
        for (int i = 0; i < count; i++)
            frames.Add(Cut(random, One(random, i)));
        return frames;
    }

    private static TestFrame One(Random random, int i)
    {
        bool vlan = random.Next(6) == 0;
        switch (i % 11)
        {
            case 0: return Udp4(random, vlan, dnsQuery: true);
            case 1: return Udp4(random, vlan, dnsQuery: false);
            case 2: case 3: return Tcp4(random, vlan);
            case 4: return Icmp4(random, vlan || random.Next(2) == 0);
            case 5: return Arp(random, vlan);
            case 6: return Ip6(random, vlan);
            case 7: return Fragment4(random, vlan);
            case 8: return OtherEtherType(random, vlan);
            case 9: return Tcp4(random, vlan, options: true);
            default: return Ip6(random, vlan);
        }
    }

    // A sixth of the frames are captured short (as with a small snap length); wire lengths stay whole.
    private static TestFrame Cut(Random random, TestFrame frame)
    {
        if (random.Next(6) != 0)
            return frame;
        int keep = random.Next(6) == 0 ? random.Next(1, 14) : random.Next(14, Math.Max(15, frame.Data.Length));
        return frame with { Data = frame.Data[..Math.Min(keep, frame.Data.Length)], Description = frame.Description + $" cut to {keep}" };
    }

    private static TestFrame Udp4(Random random, bool vlan, bool dnsQuery)
    {
        int sport = dnsQuery ? 40000 + random.Next(1000) : Pick(random, Ports);
        int dport = dnsQuery ? (random.Next(4) == 0 ? 5353 : 53) : Pick(random, Ports);
        byte[] payload = Payload(random, dnsQuery ? 20 + random.Next(40) : random.Next(400));
        byte[] l4 = UdpHeader(sport, dport, payload);
        return Ethernet(random, vlan, 0x0800, Ip4(random, 17, l4, optionsWords: 0), $"IPv4 UDP {sport}>{dport}");
    }

    private static TestFrame Tcp4(Random random, bool vlan, bool options = false)
    {
        int sport = Pick(random, Ports), dport = Pick(random, Ports);
        byte flags = Pick(random, TcpFlagSets);
        byte[] payload = Payload(random, random.Next(3) == 0 ? 0 : random.Next(1400));
        byte[] tcp = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)sport);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), (ushort)dport);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), (uint)random.Next());
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
        payload.CopyTo(tcp, 20);
        int words = options ? random.Next(1, 4) : 0;
        return Ethernet(random, vlan, 0x0800, Ip4(random, 6, tcp, words), $"IPv4{(words > 0 ? "+options" : "")} TCP {sport}>{dport} flags 0x{flags:x2}");
    }

    private static TestFrame Icmp4(Random random, bool vlan)
    {
        byte[] icmp = new byte[8 + random.Next(100)];
        icmp[0] = random.Next(2) == 0 ? (byte)8 : (byte)0;
        random.NextBytes(icmp.AsSpan(4));
        return Ethernet(random, vlan, 0x0800, Ip4(random, 1, icmp, 0), "IPv4 ICMP");
    }

    private static TestFrame Fragment4(Random random, bool vlan)
    {
        byte[] l4 = UdpHeader(Pick(random, Ports), 53, Payload(random, 100));
        byte[] ip = Ip4(random, 17, l4, 0);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), (ushort)(random.Next(1, 100) | (random.Next(2) << 13)));
        return Ethernet(random, vlan, 0x0800, ip, "IPv4 UDP later fragment");
    }

    private static TestFrame Arp(Random random, bool vlan)
    {
        byte[] arp = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(2), 0x0800);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(6), (ushort)random.Next(1, 3));
        Pick(random, Macs).CopyTo(arp, 8);
        Pick(random, V4).CopyTo(arp, 14);
        Pick(random, V4).CopyTo(arp, 24);
        return Ethernet(random, vlan, 0x0806, arp, "ARP", broadcast: random.Next(2) == 0);
    }

    private static TestFrame Ip6(Random random, bool vlan)
    {
        int kind = random.Next(3);
        byte next = kind switch { 0 => 17, 1 => 6, _ => 58 };
        byte[] l4 = kind switch
        {
            0 => UdpHeader(Pick(random, Ports), Pick(random, Ports), Payload(random, random.Next(300))),
            1 => TcpHeaderOnly(random),
            _ => [(byte)(128 + random.Next(2)), 0, 0, 0, 0, 1, 0, 1],
        };
        byte[] ip = new byte[40 + l4.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)l4.Length);
        ip[6] = next;
        ip[7] = 64;
        Pick(random, V6).CopyTo(ip, 8);
        Pick(random, V6).CopyTo(ip, 24);
        l4.CopyTo(ip, 40);
        return Ethernet(random, vlan, 0x86dd, ip, $"IPv6 next header {next}");
    }

    private static TestFrame OtherEtherType(Random random, bool vlan)
    {
        if (random.Next(2) == 0)
            return Ethernet(random, vlan, 0x88cc, Payload(random, 40 + random.Next(200)), "LLDP");
        byte[] llc = Payload(random, 30 + random.Next(100));
        return Ethernet(random, vlan, (ushort)llc.Length, llc, "802.3 length frame");
    }

    private static byte[] TcpHeaderOnly(Random random)
    {
        byte[] tcp = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)Pick(random, Ports));
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), (ushort)Pick(random, Ports));
        tcp[12] = 5 << 4;
        tcp[13] = Pick(random, TcpFlagSets);
        return tcp;
    }

    private static byte[] UdpHeader(int sport, int dport, byte[] payload)
    {
        byte[] udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)sport);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), (ushort)dport);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp, 8);
        return udp;
    }

    private static byte[] Ip4(Random random, byte protocol, byte[] l4, int optionsWords)
    {
        int headerLength = 20 + 4 * optionsWords;
        byte[] ip = new byte[headerLength + l4.Length];
        ip[0] = (byte)(0x40 | (headerLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)random.Next(65536));
        ip[8] = (byte)random.Next(1, 255);
        ip[9] = protocol;
        Pick(random, V4).CopyTo(ip, 12);
        Pick(random, V4).CopyTo(ip, 16);
        for (int i = 20; i < headerLength; i++)
            ip[i] = 1; // NOP options
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), Checksum(ip.AsSpan(0, headerLength)));
        l4.CopyTo(ip, headerLength);
        return ip;
    }

    private static TestFrame Ethernet(Random random, bool vlan, ushort etherType, byte[] payload, string description, bool broadcast = false)
    {
        int header = vlan ? 18 : 14;
        int length = Math.Max(60, header + payload.Length);
        byte[] frame = new byte[length];
        (broadcast ? Broadcast : Pick(random, Macs)).CopyTo(frame, 0);
        Pick(random, Macs).CopyTo(frame, 6);
        if (vlan)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x8100);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), (ushort)(random.Next(2) == 0 ? 10 : 20));
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(header - 2), etherType);
        payload.CopyTo(frame, header);
        return new TestFrame(frame, length, (vlan ? "VLAN " : "") + description);
    }

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < header.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xffff)
            sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }

    private static byte[] Payload(Random random, int length)
    {
        byte[] payload = new byte[length];
        random.NextBytes(payload);
        return payload;
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
