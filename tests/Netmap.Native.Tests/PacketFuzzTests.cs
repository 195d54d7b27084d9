using Netmap.Native.Packets;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>Packet bytes are untrusted: mutated and random frames give layers, a summary and DNS without an exception.</summary>
public class PacketFuzzTests
{
    [Fact]
    [Trait("Category", "Fuzz")]
    public void MutatedAndRandomFramesNeverThrow()
    {
        var random = new Random(20261202 + Fuzz.Scale);
        List<TestFrame> seeds = PacketFrames.Generate(500, seed: 99);
        int count = 20_000 * Fuzz.Scale, withDns = 0;
        for (int i = 0; i < count; i++)
        {
            byte[] frame;
            if (i % 4 == 0)
            {
                frame = new byte[random.Next(0, 200)];
                random.NextBytes(frame);
            }
            else
            {
                frame = (byte[])seeds[random.Next(seeds.Count)].Data.Clone();
                for (int e = random.Next(1, 6); e > 0 && frame.Length > 0; e--)
                    frame[random.Next(frame.Length)] = (byte)random.Next(256);
            }
            var packet = new NetmapPacket(frame, DateTime.UnixEpoch, "fuzz", 0, 0);
            Assert.NotNull(packet.Line);
            Assert.NotNull($"{packet.Ethernet}{packet.Vlan}{packet.Arp}{packet.Ip}{packet.Udp}{packet.Tcp}{packet.Icmp}{packet.Dns}");
            if (packet.Ipv6 is { } v6) Assert.All(v6.ExtensionHeaders, h => Assert.InRange(h.Offset + h.Length, 0, frame.Length));
            if (packet.Udp is { } udp) Assert.InRange(udp.PayloadData.Length, 0, frame.Length);
            if (packet.Tcp is { } tcp) Assert.InRange(tcp.Offset + tcp.HeaderLength, 0, frame.Length);
            if (packet.Dns is { } dns)
            {
                withDns++;
                Assert.True(dns.Malformed is null || dns.Malformed.Length > 0);
            }
        }
        Assert.True(withDns > count / 100, $"only {withDns} frames had a DNS layer");
    }
}
