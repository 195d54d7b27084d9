using Netmap.Native.Capture;
using Netmap.Native.Filters;
using Xunit;
using Xunit.Abstractions;

namespace Netmap.Native.Tests;

/// <summary>
/// The important check: for a few hundred varied frames, PacketFilter selects exactly the frames
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
    ];

    [ToolFact("tcpdump")]
    public void PacketFilterSelectsTheSameFramesAsTcpdump()
    {
        using var temp = new TempDirectory();
        List<TestFrame> frames = FilterFrames.Generate(600, seed: 20240601);
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
            output.WriteLine($"{expression,-40} tcpdump {byTcpdump.Length,3}  PacketFilter {ours.Length,3}  of {frames.Count}");
            Assert.NotEmpty(byTcpdump);
            foreach (int i in ours.Except(byTcpdump))
                disagreements.Add($"'{expression}': PacketFilter selects frame {i} ({frames[i].Description}), tcpdump does not");
            foreach (int i in byTcpdump.Except(ours))
                disagreements.Add($"'{expression}': tcpdump selects frame {i} ({frames[i].Description}), PacketFilter does not");
        }
        Assert.True(disagreements.Count == 0, string.Join(Environment.NewLine, disagreements));
    }

    private static int[] SelectedByTcpdump(string input, string output, string expression)
    {
        var (exit, _, stderr) = ExternalTool.Run("tcpdump", "-nn", "-r", input, "-w", output, expression);
        Assert.True(exit == 0, $"tcpdump -r {input} -w {output} '{expression}' failed ({exit}): {stderr}");
        return CaptureReader.Open(output).Select(r => (int)(r.TimestampNanoseconds / 1_000_000_000 - BaseSeconds)).ToArray();
    }
}
