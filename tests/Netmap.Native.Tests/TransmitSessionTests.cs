using System.Buffers.Binary;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>The transmit loop of the engine: what it writes into the ring, what it counts, and why it stops.</summary>
[Collection("shm")] // ports open in the shared directory the collection sets up (NETMAPPS_SHM_DIR is process-wide)
public class TransmitSessionTests
{
    private static readonly byte[] Frame = PacketBuilder.Build(new PacketRecipe { DestinationPort = 9, Length = 60 });

    internal static (NetmapPort Tx, NetmapPort Rx) Pipe(string rings = "")
    {
        string name = $"ts{Guid.NewGuid():N}"[..10];
        return (NetmapPort.Open($"netmap:{name}{{1{rings}", PortMode.Emulated), NetmapPort.Open($"netmap:{name}}}1", PortMode.Emulated));
    }

    internal static List<byte[]> Drain(NetmapPort rx)
    {
        var frames = new List<byte[]>();
        var receiver = new PacketReceiver(rx);
        var batch = new List<NetmapPacket>();
        while (receiver.Receive(batch, 512, 200) > 0)
        {
            frames.AddRange(batch.Select(p => p.Data));
            receiver.Release(batch.Count);
            batch.Clear();
        }
        return frames;
    }

    [Fact]
    public void GeneratedFramesCarryTheSequenceAndCountInThePortStatistics()
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            var session = new TransmitSession(tx, null, new TransmitOptions { SequenceOffset = 42, TimeoutMs = 1000 });
            var generator = new FrameGenerator(Frame, new FrameVariation { SourcePort = ValueSet.Numbers(["100-102"], "port", 0, 65535) });
            Assert.Equal(TransmitOutcome.Done, session.Send(generator, 7));
            Assert.True(session.Flush(1000));
            Assert.Equal(7, session.Sent);
            Assert.Equal(7, tx.Statistics.Sent);
            var frames = Drain(rx);
            Assert.Equal(7, frames.Count);
            for (int i = 0; i < 7; i++)
            {
                Assert.Equal(100 + i % 3, BinaryPrimitives.ReadUInt16BigEndian(frames[i].AsSpan(34)));
                Assert.Equal((uint)i, BinaryPrimitives.ReadUInt32BigEndian(frames[i].AsSpan(42)));
            }
        }
    }

    [Theory]
    [InlineData(42)] // the first payload word
    [InlineData(45)] // odd: the number straddles three words of the checksum
    public void SequenceNumbersInAUdpPayloadKeepItsChecksumRight(int offset)
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            var session = new TransmitSession(tx, null, new TransmitOptions { SequenceOffset = offset, TimeoutMs = 1000 });
            byte[] payload = "sequenced payload"u8.ToArray();
            Assert.Equal(TransmitOutcome.Done, session.Send(PacketBuilder.Build(new PacketRecipe { Payload = payload }), 3));
            var lengths = new FrameGenerator(Frame, new FrameVariation { Length = ValueSet.Numbers(["60-62"], "length", 0, 65535) });
            Assert.Equal(TransmitOutcome.Done, session.Send(lengths, 3));
            session.Flush(1000);
            var frames = Drain(rx);
            Assert.Equal(6, frames.Count);
            for (uint i = 0; i < 6; i++)
            {
                // the same frame built whole by PacketBuilder (PacketDotNet's checksum), the number already in its payload
                byte[] expectedPayload = i < 3 ? [.. payload] : new byte[60 + (int)i - 3 - 42];
                BinaryPrimitives.WriteUInt32BigEndian(expectedPayload.AsSpan(offset - 42), i);
                Assert.Equal(PacketBuilder.Build(new PacketRecipe { Payload = expectedPayload }), frames[(int)i]);
            }
        }
    }

    [Fact]
    public void StopsWhenTheRingStaysFullOrTheTimeIsUp()
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            var full = new TransmitSession(tx, null, new TransmitOptions { TimeoutMs = 50 });
            Assert.Equal(TransmitOutcome.TimedOut, full.Send(Frame, 10_000)); // nobody receives: the TX ring and the peer's RX ring fill
            Assert.Equal(full.Sent, tx.Statistics.Sent);
            Assert.InRange(full.Sent, 1, 9_999);
            var timed = new TransmitSession(tx, null, new TransmitOptions { Duration = 0 });
            Assert.Equal(TransmitOutcome.TimeUp, timed.Send(Frame, 10));
            Assert.Equal(0, timed.Sent);
        }
    }

    [Fact]
    public void SendsTogetherOnSeveralRingsWithTheCountShared()
    {
        var (tx, rx) = Pipe("@conf:rings=3");
        using (tx) using (rx)
        {
            Assert.Equal(3u, tx.TxRings.Count);
            var sessions = Enumerable.Range(0, 3).Select(i => new TransmitSession(tx, tx.TxRings.First + (uint)i, new TransmitOptions { TimeoutMs = 1000 })).ToList();
            Assert.Equal(TransmitOutcome.Done, TransmitSession.SendTogether(sessions, Frame, null, 100));
            Assert.Equal(new long[] { 34, 33, 33 }, sessions.Select(s => s.Sent));
            var report = TransmitSession.Report(tx.Name, sessions);
            Assert.Equal(100, report.Packets);
            Assert.Equal(3, report.Rings);
            Assert.StartsWith("Sent 100 packets 6000 bytes ", report.ToString());
        }
    }
}
