using System.Net;
using System.Net.NetworkInformation;
using Netmap.Native.Packets;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>pkt-gen's pong in place: a swapped frame is, byte for byte, the frame PacketBuilder builds for the answer (checksums included).</summary>
public unsafe class EchoSwapTests
{
    public static IEnumerable<object[]> Cases()
    {
        var random = new Random(17);
        string[] v4 = ["10.0.0.2", "192.168.7.200", "172.16.3.4"], v6 = ["fd00::1", "2001:db8::42:7", "fe80::1234"];
        foreach (var protocol in new[] { CraftProtocol.Udp, CraftProtocol.Tcp })
            foreach (bool ipv6 in new[] { false, true })
                foreach (ushort? vlan in new ushort?[] { null, 7 })
                    for (int i = 0; i < 5; i++)
                    {
                        var pool = ipv6 ? v6 : v4;
                        yield return [protocol, pool[random.Next(pool.Length)], pool[random.Next(pool.Length)],
                            (ushort)random.Next(1, 65536), (ushort)random.Next(1, 65536), vlan!, random.Next(0, 40)];
                    }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnswersAsTheFrameBuiltTheOtherWay(CraftProtocol protocol, string source, string destination, ushort sourcePort, ushort destinationPort, ushort? vlan, int payload)
    {
        PacketRecipe Recipe(bool answer) => new()
        {
            Protocol = protocol, VlanId = vlan, Payload = Enumerable.Range(0, payload).Select(b => (byte)b).ToArray(),
            SourceMac = PhysicalAddress.Parse(answer ? "02-00-00-00-00-09" : "02-00-00-00-00-01"),
            DestinationMac = PhysicalAddress.Parse(answer ? "02-00-00-00-00-01" : "02-00-00-00-00-09"),
            SourceAddress = IPAddress.Parse(answer ? destination : source), DestinationAddress = IPAddress.Parse(answer ? source : destination),
            SourcePort = answer ? destinationPort : sourcePort, DestinationPort = answer ? sourcePort : destinationPort,
        };
        byte[] frame = PacketBuilder.Build(Recipe(answer: false));
        fixed (byte* f = frame) EchoSwap.Swap(f, frame.Length);
        Assert.Equal(PacketBuilder.Build(Recipe(answer: true)), frame);
    }

    [Fact]
    public void SwapsOnlyTheMacsOfAFrameThatIsNotIp()
    {
        byte[] arp = PacketBuilder.Build(new PacketRecipe { Protocol = CraftProtocol.Arp });
        byte[] before = (byte[])arp.Clone();
        fixed (byte* f = arp) EchoSwap.Swap(f, arp.Length);
        Assert.Equal(before.AsSpan(12).ToArray(), arp.AsSpan(12).ToArray()); // only the MACs change
    }
}
