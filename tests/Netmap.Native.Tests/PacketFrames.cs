using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Netmap.Native.Tests;

/// <summary>
/// Generates varied Ethernet frames, deterministically from a seed, for the tshark differential test:
/// IPv4 with options and fragments (a first fragment whose UDP length is far past the fragment), IPv6 with
/// chains of extension headers (hop-by-hop, routing, fragment, destination options, AH) in any order,
/// UDP, TCP with every flag bit and assorted options, ICMP and ICMPv6, ARP, 802.1Q and QinQ tags,
/// 802.3 frames, DNS and mDNS over UDP and TCP (name compression, every record type NetmapPS reads,
/// compression loops, pointers past the end, cut messages), large 16-bit values, and the same frames
/// cut at every offset.
/// </summary>
internal static class PacketFrames
{
    private static readonly byte[][] Macs = [[0x02, 0, 0, 0, 0, 0x01], [0x02, 0, 0, 0, 0, 0x02], [0x0a, 0xbc, 0xde, 0xf0, 0x12, 0x34]];
    private static readonly byte[][] V4 = new[] { "10.0.0.1", "10.0.0.2", "192.168.200.17", "172.16.0.5", "203.0.113.250", "224.0.0.251" }
        .Select(a => IPAddress.Parse(a).GetAddressBytes()).ToArray();
    private static readonly byte[][] V6 = new[] { "fd00::1", "fd00::2", "2001:db8::53", "fe80::1234:5678:9abc:def0", "2001:db8:1:2:3:4:5:6", "ff02::fb" }
        .Select(a => IPAddress.Parse(a).GetAddressBytes()).ToArray();
    // Ports that tshark decodes as nothing in particular (53 and 5353 are only used for DNS payloads).
    private static readonly int[] Ports = [9, 1234, 7777, 33000, 47027, 60999];
    private static readonly string[] Labels = ["www", "example", "com", "mail", "a", "b-2", "test", "netmap", "x1", "local", "arpa", "in-addr"];

    public static List<TestFrame> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var frames = new List<TestFrame>(count);
        for (int i = 0; frames.Count < count; i++)
        {
            TestFrame frame = One(random, i);
            if (i % 40 == 0 && frame.Data.Length <= 200)
            {
                // the same frame cut at every offset, as a small snap length would
                for (int keep = 1; keep < frame.Data.Length && frames.Count < count; keep++)
                    frames.Add(frame with { Data = frame.Data[..keep], Description = frame.Description + $" cut to {keep}" });
            }
            else if (random.Next(8) == 0)
            {
                int keep = random.Next(1, frame.Data.Length);
                frames.Add(frame with { Data = frame.Data[..keep], Description = frame.Description + $" cut to {keep}" });
            }
            else
            {
                frames.Add(frame);
            }
        }
        return frames;
    }

    private static TestFrame One(Random random, int i) => (i % 14) switch
    {
        0 or 1 => Ethernet(random, 0x0800, Ip4(random, 17, Udp(random, Pick(random, Ports), Pick(random, Ports), Bytes(random, random.Next(200)))), "IPv4 UDP"),
        2 or 3 => Ethernet(random, 0x0800, Ip4(random, 6, Tcp(random, Pick(random, Ports), Pick(random, Ports), Bytes(random, random.Next(300)))), "IPv4 TCP"),
        4 => Ethernet(random, 0x0800, Ip4(random, 1, Icmp(random, v6: false)), "IPv4 ICMP"),
        5 => Fragment4(random),
        6 or 7 => Ipv6(random),
        8 => Ethernet(random, 0x0806, Arp(random), "ARP"),
        9 or 10 => Dns(random),
        11 => Ethernet(random, random.Next(2) == 0 ? (ushort)0x88b5 : (ushort)0x0040, Bytes(random, 46 + random.Next(80)), "other EtherType or 802.3"),
        12 => Ipv6(random),
        _ => Ethernet(random, 0x0800, Ip4(random, 6, Tcp(random, Pick(random, Ports), Pick(random, Ports), Bytes(random, 10), urgent: 47027)), "IPv4 TCP urgent"),
    };

    private static TestFrame Dns(Random random)
    {
        bool mdns = random.Next(4) == 0, tcp = !mdns && random.Next(4) == 0;
        (byte[] message, string what) = DnsMessage(random, mdns);
        int server = mdns ? 5353 : 53, client = mdns ? 5353 : Pick(random, Ports);
        bool toServer = random.Next(2) == 0;
        int sport = toServer ? client : server, dport = toServer ? server : client;
        bool v6 = random.Next(3) == 0;
        byte[] l4 = tcp
            ? Tcp(random, sport, dport, [(byte)(message.Length >> 8), (byte)message.Length, .. message], flags: 0x018)
            : Udp(random, sport, dport, message);
        byte protocol = tcp ? (byte)6 : (byte)17;
        return v6
            ? Ethernet(random, 0x86dd, Ip6Header(random, protocol, l4), $"IPv6 {(tcp ? "TCP" : "UDP")} {what}")
            : Ethernet(random, 0x0800, Ip4(random, protocol, l4), $"IPv4 {(tcp ? "TCP" : "UDP")} {what}");
    }

    /// <summary>A DNS message: a query, or a response with answers and authority records, names compressed; a tenth are damaged.</summary>
    private static (byte[], string) DnsMessage(Random random, bool mdns)
    {
        var m = new List<byte>();
        bool response = random.Next(3) != 0;
        int questions = random.Next(4) == 0 ? 2 : 1;
        var names = new List<(string Name, int Offset)>();
        ushort flags = (ushort)((response ? 0x8000 : 0) | (random.Next(6) == 0 ? random.Next(16) << 11 : 0) | random.Next(0x800) & 0x07b0
            | (response && random.Next(4) == 0 ? random.Next(1, 6) : 0));
        Put16(m, random.Next(65536)); Put16(m, flags); Put16(m, questions);
        int answers = response ? random.Next(1, 5) : 0, authority = response && random.Next(3) == 0 ? 1 : 0;
        Put16(m, answers); Put16(m, authority); Put16(m, 0);
        for (int q = 0; q < questions; q++)
        {
            NameTo(random, m, names);
            Put16(m, Pick(random, new[] { 1, 28, 5, 12, 15, 16, 2, 255 }));
            Put16(m, mdns && random.Next(2) == 0 ? 0x8001 : 1);
        }
        for (int a = 0; a < answers + authority; a++)
        {
            NameTo(random, m, names);
            int type = a >= answers ? 2 : Pick(random, new[] { 1, 28, 5, 12, 15, 16 });
            Put16(m, type);
            Put16(m, mdns && random.Next(2) == 0 ? 0x8001 : 1);
            Put32(m, random.Next(3) == 0 ? 0x80000000u + (uint)random.Next() % 1000 : (uint)random.Next(86400));
            int lengthAt = m.Count;
            Put16(m, 0);
            switch (type)
            {
                case 1: m.AddRange(Pick(random, V4)); break;
                case 28: m.AddRange(Pick(random, V6)); break;
                case 15: Put16(m, random.Next(65536)); NameTo(random, m, names); break;
                case 16:
                    for (int s = random.Next(1, 3); s > 0; s--)
                    {
                        string text = string.Join(" ", Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(random, Labels)));
                        m.Add((byte)text.Length); m.AddRange(Encoding.ASCII.GetBytes(text));
                    }
                    break;
                default: NameTo(random, m, names); break;
            }
            int length = m.Count - lengthAt - 2;
            m[lengthAt] = (byte)(length >> 8); m[lengthAt + 1] = (byte)length;
        }
        byte[] message = m.ToArray();
        switch (random.Next(12))
        {
            case 0: // a pointer to itself: a compression loop
                message = [.. message.AsSpan(0, 12), 0xc0, 12, 0, 1, 0, 1];
                BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), 1);
                message.AsSpan(6, 6).Clear();
                return (message, "DNS compression loop");
            case 1: // two pointers pointing at each other
                message = [.. message.AsSpan(0, 12), 3, (byte)'w', (byte)'w', (byte)'w', 0xc0, 18, 0xc0, 16, 0, 1, 0, 1];
                BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), 1);
                message.AsSpan(6, 6).Clear();
                return (message, "DNS two-pointer loop");
            case 2: // counts that promise more than there is
                BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), (ushort)(answers + 3));
                return (message, "DNS counts past the end");
            default:
                return (message, response ? "DNS response" : "DNS query");
        }
    }

    /// <summary>Writes a name, compressed against earlier names where it can be.</summary>
    private static void NameTo(Random random, List<byte> m, List<(string Name, int Offset)> names)
    {
        if (names.Count > 0 && random.Next(3) == 0)
        {
            var (_, offset) = Pick(random, names.ToArray());
            m.Add((byte)(0xc0 | offset >> 8)); m.Add((byte)offset);
            return;
        }
        string[] labels = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(random, Labels)).ToArray();
        for (int i = 0; i < labels.Length; i++)
        {
            names.Add((string.Join('.', labels[i..]), m.Count));
            m.Add((byte)labels[i].Length); m.AddRange(Encoding.ASCII.GetBytes(labels[i]));
        }
        if (names.Count > labels.Length && random.Next(2) == 0)
        {
            var (_, offset) = Pick(random, names.Take(names.Count - labels.Length).ToArray());
            m.Add((byte)(0xc0 | offset >> 8)); m.Add((byte)offset);
        }
        else
        {
            m.Add(0);
        }
    }

    private static TestFrame Fragment4(Random random)
    {
        if (random.Next(2) == 0)
        {
            // first fragment of a large datagram: the UDP length (40000) is far past this fragment
            byte[] udp = Udp(random, Pick(random, Ports), Pick(random, Ports), Bytes(random, 200));
            BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), 40000);
            return Ethernet(random, 0x0800, Ip4(random, 17, udp, fragment: 0x2000), "IPv4 first fragment, UDP length 40000");
        }
        ushort fragment = (ushort)(random.Next(1, 8000) | (random.Next(2) << 13));
        return Ethernet(random, 0x0800, Ip4(random, (byte)Pick(random, new[] { 6, 17, 1 }), Bytes(random, 64), fragment: fragment), "IPv4 later fragment");
    }

    private static TestFrame Ipv6(Random random)
    {
        int choice = random.Next(4);
        byte last = choice switch { 0 => 17, 1 => 6, 2 => 58, _ => 59 };
        byte[] l4 = choice switch
        {
            0 => Udp(random, Pick(random, Ports), Pick(random, Ports), Bytes(random, random.Next(60))),
            1 => Tcp(random, Pick(random, Ports), Pick(random, Ports), Bytes(random, random.Next(60))),
            2 => Icmp(random, v6: true),
            _ => [],
        };
        int count = random.Next(0, 5);
        var chain = Enumerable.Range(0, count).Select(_ => Pick(random, new byte[] { 0, 43, 44, 60, 51 })).ToList();
        var body = new List<byte>(l4);
        byte next = last;
        bool later = false;
        for (int i = chain.Count - 1; i >= 0; i--)
        {
            byte[] header = Extension(random, chain[i], next, ref later);
            body.InsertRange(0, header);
            next = chain[i];
        }
        string what = $"IPv6 [{string.Join(",", chain)}] then {last}{(later ? " (later fragment)" : "")}";
        return Ethernet(random, 0x86dd, Ip6Header(random, next, body.ToArray()), what);
    }

    private static byte[] Extension(Random random, byte type, byte next, ref bool laterFragment)
    {
        switch (type)
        {
            case 44:
                ushort offset = (ushort)(random.Next(3) == 0 ? random.Next(1, 8000) << 3 : 0);
                if (offset != 0) laterFragment = true;
                byte[] f = [next, 0, (byte)(offset >> 8), (byte)(offset | (byte)random.Next(2)), 0, 0, 0, 0];
                BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(4), (uint)random.Next() * 2u + 1);
                return f;
            case 51:
                int words = random.Next(3) == 0 ? 1 : 4; // (words + 2) * 4 bytes: 12 (no ICV) or 24 (12-byte ICV)
                byte[] ah = new byte[(words + 2) * 4];
                ah[0] = next; ah[1] = (byte)words;
                BinaryPrimitives.WriteUInt32BigEndian(ah.AsSpan(4), 0x100 + (uint)random.Next());
                BinaryPrimitives.WriteUInt32BigEndian(ah.AsSpan(8), (uint)random.Next());
                random.NextBytes(ah.AsSpan(12));
                return ah;
            case 43:
                if (random.Next(2) == 0)
                {
                    byte[] r0 = new byte[24]; // type 0 with one address
                    r0[0] = next; r0[1] = 2; r0[2] = 0; r0[3] = (byte)random.Next(2);
                    Pick(random, V6).CopyTo(r0, 8);
                    return r0;
                }
                byte[] r = new byte[8]; // a routing type nobody defines
                r[0] = next; r[1] = 0; r[2] = 253; r[3] = (byte)random.Next(256);
                return r;
            default: // hop-by-hop or destination options: 8 or 16 bytes of PadN
                int length = random.Next(2) == 0 ? 8 : 16;
                byte[] o = new byte[length];
                o[0] = next; o[1] = (byte)(length / 8 - 1); o[2] = 1; o[3] = (byte)(length - 4);
                return o;
        }
    }

    private static byte[] Ip6Header(Random random, byte next, byte[] payload)
    {
        byte[] ip = new byte[40 + payload.Length];
        uint first = 6u << 28 | (uint)random.Next(256) << 20 | (uint)random.Next(0x100000);
        BinaryPrimitives.WriteUInt32BigEndian(ip, first);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)payload.Length);
        ip[6] = next;
        ip[7] = (byte)random.Next(256);
        Pick(random, V6).CopyTo(ip, 8);
        Pick(random, V6).CopyTo(ip, 24);
        payload.CopyTo(ip, 40);
        return ip;
    }

    private static byte[] Ip4(Random random, byte protocol, byte[] payload, ushort fragment = 0xffff)
    {
        byte[] options = random.Next(4) switch
        {
            0 => [1, 1, 1, 1],
            1 => [148, 4, 0, 0],
            2 => [1, 148, 4, 0, 0, 0, 0, 0],
            _ => [],
        };
        int header = 20 + options.Length;
        byte[] ip = new byte[header + payload.Length];
        ip[0] = (byte)(0x40 | header / 4);
        ip[1] = (byte)random.Next(256);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)random.Next(65536));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), fragment != 0xffff ? fragment : random.Next(2) == 0 ? (ushort)0x4000 : (ushort)0);
        ip[8] = (byte)random.Next(256);
        ip[9] = protocol;
        Pick(random, V4).CopyTo(ip, 12);
        Pick(random, V4).CopyTo(ip, 16);
        options.CopyTo(ip, 20);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), (ushort)random.Next(65536));
        payload.CopyTo(ip, header);
        return ip;
    }

    private static byte[] Udp(Random random, int sport, int dport, byte[] payload)
    {
        byte[] udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)sport);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), (ushort)dport);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(6), (ushort)random.Next(65536));
        payload.CopyTo(udp, 8);
        return udp;
    }

    private static byte[] Tcp(Random random, int sport, int dport, byte[] payload, int flags = -1, int urgent = -1)
    {
        var options = new List<byte>();
        foreach (int kind in Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(7)))
        {
            switch (kind)
            {
                case 0: options.AddRange([2, 4, (byte)random.Next(256), (byte)random.Next(256)]); break;
                case 1: options.AddRange([3, 3, (byte)random.Next(15)]); break;
                case 2: options.AddRange([4, 2]); break;
                case 3: options.AddRange([8, 10, .. Bytes(random, 8)]); break;
                case 4: options.AddRange([5, 10, .. Bytes(random, 8)]); break;
                default: options.Add(1); break;
            }
        }
        if (options.Count > 40) options.RemoveRange(40, options.Count - 40);
        while (options.Count % 4 != 0) options.Add(0);
        if (options.Count > 40) options.RemoveRange(40, options.Count - 40);
        int header = 20 + options.Count;
        byte[] tcp = new byte[header + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)sport);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), (ushort)dport);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), (uint)random.Next() * 2u + (uint)random.Next(2));
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(8), (uint)random.Next() * 2u + (uint)random.Next(2));
        int bits = flags >= 0 ? flags : random.Next(0x1000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(12), (ushort)(header / 4 << 12 | bits));
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), (ushort)random.Next(65536));
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(16), (ushort)random.Next(65536));
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(18), (ushort)(urgent >= 0 ? urgent : random.Next(65536)));
        options.CopyTo(tcp, 20);
        payload.CopyTo(tcp, header);
        return tcp;
    }

    private static byte[] Icmp(Random random, bool v6)
    {
        byte type = v6 ? Pick(random, new byte[] { 128, 129, 133 }) : Pick(random, new byte[] { 0, 8, 10 });
        byte[] icmp = new byte[8 + (type is 10 or 133 ? 0 : random.Next(64))];
        icmp[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), (ushort)random.Next(65536));
        if (type is 0 or 8 or 128 or 129)
        {
            BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), (ushort)random.Next(65536));
            BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), (ushort)random.Next(65536));
            random.NextBytes(icmp.AsSpan(8));
        }
        return icmp;
    }

    private static byte[] Arp(Random random)
    {
        byte[] arp = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(2), 0x0800);
        arp[4] = 6; arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(6), (ushort)random.Next(1, 3));
        Pick(random, Macs).CopyTo(arp, 8);
        Pick(random, V4).CopyTo(arp, 14);
        Pick(random, Macs).CopyTo(arp, 18);
        Pick(random, V4).CopyTo(arp, 24);
        return arp;
    }

    /// <summary>An Ethernet frame around the payload, a quarter with one 802.1Q tag and a tenth with two (QinQ), padded to 60 bytes.</summary>
    private static TestFrame Ethernet(Random random, ushort etherType, byte[] payload, string description)
    {
        int tags = random.Next(10) switch { 0 => 2, 1 or 2 => 1, _ => 0 };
        var frame = new List<byte>();
        frame.AddRange(Pick(random, Macs));
        frame.AddRange(Pick(random, Macs));
        for (int t = 0; t < tags; t++)
        {
            Put16(frame, tags == 2 && t == 0 ? 0x88a8 : 0x8100);
            Put16(frame, random.Next(65536));
        }
        Put16(frame, etherType == 0x0040 ? payload.Length : etherType);
        frame.AddRange(payload);
        while (frame.Count < 60) frame.Add(0);
        byte[] data = frame.ToArray();
        return new TestFrame(data, data.Length, (tags == 2 ? "QinQ " : tags == 1 ? "VLAN " : "") + description);
    }

    private static void Put16(List<byte> m, int value) { m.Add((byte)(value >> 8)); m.Add((byte)value); }
    private static void Put32(List<byte> m, uint value) { Put16(m, (int)(value >> 16)); Put16(m, (int)(value & 0xffff)); }

    private static byte[] Bytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
