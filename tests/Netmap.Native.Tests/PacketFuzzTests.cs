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
            var (linkType, data) = (i % 3) switch { 0 => (LinkTypes.Ethernet, frame), _ => OtherLink(frame, random) };
            var packet = new NetmapPacket(data, DateTime.UnixEpoch, "fuzz", 0, 0) { LinkType = linkType };
            frame = data;
            Assert.NotNull(packet.Line);
            foreach (var layer in PacketLayers.All) Assert.NotNull($"{layer.Of(packet)}");
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

    /// <summary>The same frame under another link header: raw IP (the Ethernet header dropped), SLL (2 bytes more in front, so the EtherType lands at 14) or SLL2 (the EtherType first, then 18 bytes), or a link type no layers are read for.</summary>
    private static (int, byte[]) OtherLink(byte[] frame, Random random)
    {
        byte[] Junk(int n) { var b = new byte[n]; random.NextBytes(b); return b; }
        byte[] after = frame.Length > 14 ? frame[14..] : Junk(random.Next(0, 3));
        byte[] type = frame.Length >= 14 ? frame[12..14] : Junk(2);
        return random.Next(6) switch
        {
            0 => (LinkTypes.Raw, after),
            1 => (LinkTypes.Ipv4, after),
            2 => (LinkTypes.Ipv6, after),
            3 => (LinkTypes.LinuxSll, [.. Junk(2), .. frame]),
            4 => (LinkTypes.LinuxSll2, [.. type, .. Junk(18), .. after]),
            _ => (147, frame), // LINKTYPE_USER0: no layers
        };
    }
}
