using System.Buffers.Binary;
using System.Net;
using Netmap.Native.Capture;
using Netmap.Native.Packets;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>
/// Frames as a sender with TX checksum offload leaves them (the pseudo-header sum in the checksum
/// field) are completed to the checksum PacketDotNet computes, and tshark finds them good; valid and
/// otherwise damaged frames are left alone.
/// </summary>
public sealed unsafe class PartialChecksumTests
{
    private static IEnumerable<(byte[] Valid, byte[] Partial, int Field)> Frames(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            bool v6 = random.Next(2) == 0, tcp = random.Next(2) == 0;
            var payload = new byte[random.Next(0, 1400)];
            random.NextBytes(payload);
            var recipe = new PacketRecipe
            {
                SourceAddress = v6 ? IPAddress.Parse($"fd00::{random.Next(1, 0xffff):x}") : new IPAddress(random.Next()),
                DestinationAddress = v6 ? IPAddress.Parse($"fd00::1:{random.Next(1, 0xffff):x}") : new IPAddress(random.Next()),
                Protocol = tcp ? CraftProtocol.Tcp : CraftProtocol.Udp,
                SourcePort = (ushort)random.Next(1, 65536), DestinationPort = (ushort)random.Next(1, 65536),
                VlanId = random.Next(4) == 0 ? (ushort)random.Next(1, 4095) : null,
                Payload = payload,
            };
            byte[] valid = PacketBuilder.Build(recipe);
            int ip = valid[12] == 0x81 ? 18 : 14;
            int l4 = v6 ? ip + 40 : ip + (valid[ip] & 0xf) * 4;
            int l4Length = v6 ? BinaryPrimitives.ReadUInt16BigEndian(valid.AsSpan(ip + 4)) : BinaryPrimitives.ReadUInt16BigEndian(valid.AsSpan(ip + 2)) - (l4 - ip);
            // What the sending stack writes for the NIC to finish: the folded pseudo-header sum, not complemented.
            ulong pseudo = (ulong)(tcp ? 6 : 17) + (ulong)l4Length;
            var addresses = valid.AsSpan(v6 ? ip + 8 : ip + 12, v6 ? 32 : 8);
            for (int k = 0; k < addresses.Length; k += 2) pseudo += BinaryPrimitives.ReadUInt16BigEndian(addresses[k..]);
            while (pseudo >> 16 != 0) pseudo = (pseudo & 0xffff) + (pseudo >> 16);
            byte[] partial = (byte[])valid.Clone();
            int field = l4 + (tcp ? 16 : 6);
            BinaryPrimitives.WriteUInt16BigEndian(partial.AsSpan(field), (ushort)pseudo);
            yield return (valid, partial, field);
        }
    }

    private static bool Complete(byte[] frame)
    {
        fixed (byte* p = frame) return PartialChecksum.Complete(p, frame.Length);
    }

    [Fact]
    public void CompletesPartialChecksumsToWhatPacketDotNetComputes()
    {
        int completed = 0;
        foreach (var (valid, partial, _) in Frames(3000 * Fuzz.Scale, 1616))
        {
            if (valid.AsSpan().SequenceEqual(partial)) continue;   // the valid checksum happened to be the pseudo-header sum
            Assert.True(Complete(partial));
            Assert.Equal(valid, partial);
            completed++;
        }
        Assert.True(completed > 2900);
    }

    [Fact]
    public void LeavesValidAndOtherwiseDamagedFramesAlone()
    {
        foreach (var (valid, _, field) in Frames(1000, 1617))
        {
            byte[] copy = (byte[])valid.Clone();
            Assert.False(Complete(copy));
            Assert.Equal(valid, copy);
            copy[field] ^= 0x5a;   // a checksum that is simply wrong
            byte[] damaged = (byte[])copy.Clone();
            Assert.False(Complete(copy));
            Assert.Equal(damaged, copy);
        }
    }

    [Fact]
    public void ReadsNoFurtherThanTheFrameOnTruncatedHeaders()
    {
        foreach (var (_, partial, _) in Frames(200, 1618))
            for (int length = 0; length < Math.Min(partial.Length, 80); length++)
            {
                byte[] cut = partial[..length];
                Complete(cut);   // bounds are checked: no exception, nothing read past the end
            }
    }

    [ToolFact("tshark")]
    public void TsharkFindsTheCompletedChecksumsGood()
    {
        using var temp = new TempDirectory();
        string path = temp.File("completed.pcap");
        int count = 0;
        using (var writer = CaptureWriter.Create(path))
        {
            int face = writer.AddInterface("eth0");
            foreach (var (_, partial, _) in Frames(500, 1619))
            {
                Complete(partial);
                writer.Write(face, 1, partial);
                count++;
            }
        }
        var (exit, stdout, stderr) = ExternalTool.Run("tshark", "-r", path, "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-T", "fields", "-e", "tcp.checksum.status", "-e", "udp.checksum.status");
        Assert.True(exit == 0, stderr);
        var statuses = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
        Assert.Equal(count, statuses.Count);
        Assert.All(statuses, s => Assert.Equal("1", s));   // 1: Good
    }
}
