using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Netmap.Native.Packets;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>
/// The generator's frames against frames that PacketBuilder builds whole (PacketDotNet computes their
/// lengths and checksums) from the values the test works out for itself.
/// </summary>
public unsafe class FrameGeneratorTests
{
    private static byte[] Generate(FrameGenerator g)
    {
        var buffer = new byte[2048];
        int length = g.Next();
        fixed (byte* b = buffer) g.Write(b);
        return buffer[..length];
    }

    private static PacketRecipe Recipe(string src, string dst, int sport, int dport, string smac, string dmac, byte[] payload, ushort? vlan = null) => new()
    {
        SourceAddress = IPAddress.Parse(src), DestinationAddress = IPAddress.Parse(dst), SourcePort = (ushort)sport, DestinationPort = (ushort)dport,
        SourceMac = PhysicalAddress.Parse(smac.Replace(':', '-').ToUpperInvariant()), DestinationMac = PhysicalAddress.Parse(dmac.Replace(':', '-').ToUpperInvariant()),
        Payload = payload, VlanId = vlan,
    };

    [Theory]
    [InlineData(null)]
    [InlineData((ushort)7)]
    public void SteppedFramesEqualFramesBuiltWhole(ushort? vlan)
    {
        byte[] payload = "generated"u8.ToArray();
        var template = PacketBuilder.Build(Recipe("10.0.0.2", "10.0.0.1", 12345, 9, "02:00:00:00:00:01", "ff:ff:ff:ff:ff:ff", payload, vlan));
        var variation = new FrameVariation
        {
            SourceAddress = ValueSet.Ipv4(["10.0.0.254-10.0.1.1"], "source"),   // crosses a byte boundary
            SourcePort = ValueSet.Numbers(["1234-1236"], "port", 0, 65535),
            DestinationAddress = ValueSet.Ipv4(["192.168.0.9", "172.16.0.1"], "destination"),
            DestinationPort = ValueSet.Numbers(["53,65535"], "port", 0, 65535),
            SourceMac = ValueSet.Mac(["02:00:00:00:00:fe-02:00:00:00:01:00"], "mac"),
        };
        var g = new FrameGenerator(template, variation);
        string[] sources = ["10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1"], destinations = ["192.168.0.9", "172.16.0.1"];
        string[] macs = ["02:00:00:00:00:fe", "02:00:00:00:00:ff", "02:00:00:00:01:00"];
        int[] sports = [1234, 1235, 1236], dports = [53, 65535];
        Assert.Equal((ulong)(sources.Length * destinations.Length * macs.Length * sports.Length * dports.Length), g.Period);
        for (int round = 0; round < 2; round++) // a second turn starts over
            foreach (var mac in macs)
            foreach (var dst in destinations)
            foreach (var dport in dports)
            foreach (var src in sources)
            foreach (var sport in sports)
            {
                var expected = PacketBuilder.Build(Recipe(src, dst, sport, dport, mac, "ff:ff:ff:ff:ff:ff", payload, vlan));
                Assert.Equal(expected, Generate(g));
            }
    }

    [Fact]
    public void LengthsStretchTheUdpPayloadWithZeros()
    {
        byte[] payload = "abc"u8.ToArray();
        var template = PacketBuilder.Build(Recipe("10.0.0.2", "10.0.0.1", 1, 2, "02:00:00:00:00:01", "02:00:00:00:00:02", payload));
        var g = new FrameGenerator(template, new FrameVariation { Length = ValueSet.Numbers(["60-75", "1500"], "length", 0, 65535) });
        foreach (int length in Enumerable.Range(60, 16).Append(1500).Append(60))
        {
            var expected = PacketBuilder.Build(Recipe("10.0.0.2", "10.0.0.1", 1, 2, "02:00:00:00:00:01", "02:00:00:00:00:02", [.. payload, .. new byte[length - 45]]));
            Assert.Equal(length, expected.Length);
            Assert.Equal(expected, Generate(g));
        }
    }

    [Fact]
    public void RandomFramesStayInTheirSetsWithTheirChecksumsRight()
    {
        var template = PacketBuilder.Build(Recipe("10.0.0.2", "10.0.0.1", 1, 2, "02:00:00:00:00:01", "02:00:00:00:00:02", []));
        var variation = new FrameVariation
        {
            SourceAddress = ValueSet.Ipv4(["10.1.0.0/24"], "source"), DestinationPort = ValueSet.Numbers(["1000-1999"], "port", 0, 65535),
            Length = ValueSet.Numbers(["60-1514"], "length", 0, 65535), Random = true,
        };
        var g = new FrameGenerator(template, variation, seed: 42);
        var lengths = new HashSet<int>();
        for (int i = 0; i < 2000; i++)
        {
            var frame = Generate(g);
            uint src = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(26));
            int dport = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(36));
            Assert.InRange(src, 0x0A010000u, 0x0A0100FFu);
            Assert.InRange(dport, 1000, 1999);
            Assert.InRange(frame.Length, 60, 1514);
            lengths.Add(frame.Length);
            var expected = PacketBuilder.Build(Recipe(ValueSet.Ipv4Text(src), "10.0.0.1", 1, dport, "02:00:00:00:00:01", "02:00:00:00:00:02", new byte[frame.Length - 42]));
            Assert.Equal(expected, frame);
        }
        Assert.True(lengths.Count > 500, $"only {lengths.Count} distinct lengths in 2000 random frames");
    }

    [Fact]
    public void RefusesWhatItCannotVary()
    {
        var tcp = PacketBuilder.Build(new PacketRecipe { Protocol = CraftProtocol.Tcp });
        var e = Assert.Throws<NetmapException>(() => new FrameGenerator(tcp, new FrameVariation { SourcePort = ValueSet.Numbers(["1-2"], "port", 0, 65535) }));
        Assert.Contains("IPv4/UDP", e.Message);
        var udp = PacketBuilder.Build(new PacketRecipe { Payload = new byte[100] });
        e = Assert.Throws<NetmapException>(() => new FrameGenerator(udp, new FrameVariation { Length = ValueSet.Numbers(["60-200"], "length", 0, 65535) }));
        Assert.Contains("142", e.Message);
        Assert.Throws<NetmapException>(() => ValueSet.Ipv4(["10.0.0.300"], "source"));
        Assert.Throws<NetmapException>(() => ValueSet.Numbers(["70000"], "port", 0, 65535));
        // MACs alone vary on any frame
        var g = new FrameGenerator(tcp, new FrameVariation { DestinationMac = ValueSet.Mac(["02-00-00-00-00-05"], "mac") });
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 5 }, Generate(g)[..6]);
    }
}
