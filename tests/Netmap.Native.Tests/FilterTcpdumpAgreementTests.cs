using Netmap.Native.Capture;
using Netmap.Native.Filters;
using Xunit;
using Xunit.Abstractions;

namespace Netmap.Native.Tests;

/// <summary>
/// The important check: for two thousand varied frames, PacketFilter selects exactly the frames
/// tcpdump selects with the same expression. Frame i carries the timestamp Base + i seconds, so
/// the frames tcpdump writes out name themselves.
/// </summary>
public sealed class FilterTcpdumpAgreementTests(ITestOutputHelper output)
{
    private const long BaseSeconds = 1_700_000_000;

    public static readonly string[] Filters =
    [
        "udp dst port 53", "host 10.0.0.1 and tcp", "vlan and icmp", "ether src 02:00:00:00:00:01", "greater 100",
        "tcp[tcpflags] & tcp-syn != 0", "arp", "ip6", "udp", "not tcp", "net 10.0.0.0/24", "portrange 50-60",
        // More shapes of program: indirect loads after the IP header, lengths, VLAN ids, IPv6 ports, broadcast.
        "vlan 20 and udp dst port 53", "ip6 and udp port 53", "tcp[13] = 0x12", "len <= 80", "ip[8] < 64 and not ip6",
        "icmp6", "ether broadcast", "ip proto 17 and udp[2:2] > 1000", "tcp port 80 or tcp port 443", "less 64",
        "ip host 10.0.0.2 and not vlan",
        // protochain: libpcap loops over the IPv6 (and IPv4 AH) header chain with a backward jump
        "ip6 protochain 17", "ip6 protochain 6", "ip6 protochain 58", "ip protochain 6", "ip protochain 17", "protochain 17",
        "ip6 protochain 44", "ip6 protochain 51", "ip6 protochain 59", "ip6 protochain 60", "ip6 protochain 0 or ip6 protochain 43",
        "vlan and ip6 protochain 17", "not ip6 protochain 17 and ip6",
        // the rest of the language: qualifiers, fragments, arithmetic, byte strings, tcp/icmp fields, ranges
        "src host 10.0.0.1", "dst host 172.16.0.5", "ip6 src host fd00::1", "ip6 dst net 2001:db8::/32", "host fe80::1234:5678:9abc:def0",
        "src net 192.168.0.0/16", "dst net 10.0.0.0 mask 255.255.255.0", "ether dst 0a:bc:de:f0:12:34", "ether host 02:00:00:00:00:02",
        "ether proto 0x88b5", "ether[12:2] = 0x8100", "ip[6:2] & 0x1fff != 0", "ip[6] & 0x20 != 0", "ip[0] & 0xf > 5", "ip[1] & 0x3 = 1",
        "len > 200", "len >= 1000", "greater 1000", "udp and udp[4:2] > 1000", "tcp[tcpflags] & (tcp-fin|tcp-urg) != 0",
        "tcp[tcpflags] == tcp-ack", "tcp[12] & 0xf0 > 0x50", "tcp src port 9 or tcp dst port 1234", "udp src portrange 1000-10000",
        "icmp[icmptype] == icmp-echo", "icmp[icmptype] != icmp-echoreply and icmp", "icmp6 and ip6[40] == 128", "ip6[6] == 0",
        "arp and ether[20:2] == 1", "arp and not rarp", "vlan 20 or vlan 10", "vlan and vlan", "ip proto \\tcp", "ip6 proto 17", "proto 58",
        "ip and ip[8] > 100", "ip6 and ip6[7] < 64", "port 53 and not udp", "tcp port 7777 and (tcp[tcpflags] & tcp-syn) != 0",
        "ip multicast", "ether multicast", "ip6 multicast", "not ip and not ip6 and not arp", "llc", "ether[0] & 1 = 0",
        "ip[2:2] > 300 and udp", "(tcp or udp) and port 47027", "net 203.0.113.0/24 or net fd00::/8", "ip and not ip[6:2] & 0x3fff != 0",
    ];

    [ToolFact("tcpdump")]
    public void PacketFilterSelectsTheSameFramesAsTcpdump()
    {
        using var temp = new TempDirectory();
        // the filter frames, then the packet-layer frames (IPv6 extension-header chains, QinQ, fragments, DNS, cuts)
        List<TestFrame> frames = [.. FilterFrames.Generate(600, seed: 20240601), .. PacketFrames.Generate(1400, seed: 7)];
        string input = temp.File("frames.pcap");
        using (CaptureWriter writer = CaptureWriter.Create(input))
        {
            int face = writer.AddInterface("test");
            for (int i = 0; i < frames.Count; i++)
                writer.Write(face, (BaseSeconds + i) * 1_000_000_000 + 123_456_789, frames[i].Data, frames[i].WireLength);
        }

        var disagreements = new List<string>();
        foreach (string expression in Filters)
        {
            int[] byTcpdump = SelectedByTcpdump(input, temp.File("out.pcap"), expression);
            var filter = PacketFilter.Compile(expression);
            int[] ours = Enumerable.Range(0, frames.Count).Where(i => filter.Matches(frames[i].Data, frames[i].WireLength)).ToArray();
            int[] interpreted = Enumerable.Range(0, frames.Count).Where(i => Interpret(filter, frames[i]) != 0).ToArray();
            if (!interpreted.SequenceEqual(ours))
                disagreements.Add($"'{expression}': the interpreter selects {interpreted.Length} frames, the IL {ours.Length}");
            output.WriteLine($"{expression,-40} tcpdump {byTcpdump.Length,3}  PacketFilter {ours.Length,3}  of {frames.Count}");
            Assert.NotEmpty(byTcpdump);
            foreach (int i in ours.Except(byTcpdump))
                disagreements.Add($"'{expression}': PacketFilter selects frame {i} ({frames[i].Description}), tcpdump does not");
            foreach (int i in byTcpdump.Except(ours))
                disagreements.Add($"'{expression}': tcpdump selects frame {i} ({frames[i].Description}), PacketFilter does not");
        }
        Assert.True(disagreements.Count == 0, string.Join(Environment.NewLine, disagreements));
    }

    private static unsafe uint Interpret(PacketFilter filter, TestFrame frame)
    {
        fixed (byte* p = frame.Data)
            return filter.Interpret(p, frame.Data.Length, frame.WireLength);
    }

    private static int[] SelectedByTcpdump(string input, string output, string expression)
    {
        var (exit, _, stderr) = ExternalTool.Run("tcpdump", "-nn", "-r", input, "-w", output, expression);
        Assert.True(exit == 0, $"tcpdump -r {input} -w {output} '{expression}' failed ({exit}): {stderr}");
        return CaptureReader.Open(output).Select(r => (int)(r.TimestampNanoseconds / 1_000_000_000 - BaseSeconds)).ToArray();
    }
}

/// <summary>
/// The same expressions and frames through the receive path: the frames go through a pipe, a
/// PacketReceiver with the filter takes them from the RX ring (rejected frames are released in the
/// ring, never copied), and what arrives must be exactly what tcpdump -r selects, in order. A slot has
/// one length, so here the wire length of every frame is its captured length.
/// </summary>
[Collection("shm")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FilterReceivePathTests(ShmDirectory shm, ITestOutputHelper output)
{
    [ToolFact("tcpdump")]
    public void TheReceiverDeliversWhatTcpdumpSelects()
    {
        _ = shm;
        using var temp = new TempDirectory();
        List<TestFrame> frames = [.. FilterFrames.Generate(300, seed: 11), .. PacketFrames.Generate(700, seed: 12)];
        string input = temp.File("frames.pcap");
        using (CaptureWriter writer = CaptureWriter.Create(input))
        {
            int face = writer.AddInterface("test");
            for (int i = 0; i < frames.Count; i++)
                writer.Write(face, (1_700_000_000L + i) * 1_000_000_000, frames[i].Data, frames[i].Data.Length);
        }
        string name = $"fr{Guid.NewGuid():N}"[..15];
        using var rx = Netmap.Native.Ports.NetmapPort.Open($"netmap:{name}}}1");
        using var tx = Netmap.Native.Ports.NetmapPort.Open($"netmap:{name}{{1");
        var transmitter = new Netmap.Native.Rings.PacketTransmitter(tx);
        var problems = new List<string>();
        foreach (string expression in FilterTcpdumpAgreementTests.Filters)
        {
            var (exit, _, stderr) = ExternalTool.Run("tcpdump", "-nn", "-r", input, "-w", temp.File("out.pcap"), expression);
            Assert.True(exit == 0, $"tcpdump '{expression}' failed: {stderr}");
            int[] byTcpdump = CaptureReader.Open(temp.File("out.pcap")).Select(r => (int)(r.TimestampNanoseconds / 1_000_000_000 - 1_700_000_000)).ToArray();

            var receiver = new Netmap.Native.Rings.PacketReceiver(rx, filter: PacketFilter.Compile(expression));
            var received = new List<Netmap.Native.Packets.NetmapPacket>();
            for (int start = 0; start < frames.Count; start += 200)
            {
                for (int i = start; i < Math.Min(frames.Count, start + 200); i++)
                    Assert.True(transmitter.Send(frames[i].Data, 1000), "the pipe took no more frames");
                Assert.True(transmitter.Flush(1000), "the frames did not reach the receiver");
                while (receiver.ReceiveAll(received, 1000, 0) > 0) { }
            }
            byte[][] expected = byTcpdump.Select(i => frames[i].Data).ToArray();
            bool same = expected.Length == received.Count && expected.Zip(received).All(p => p.First.AsSpan().SequenceEqual(p.Second.Data));
            output.WriteLine($"{expression,-45} tcpdump {expected.Length,4}  received {received.Count,4}");
            if (!same) problems.Add($"'{expression}': tcpdump selects {expected.Length} frames, the receiver delivered {received.Count} (or other ones)");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
