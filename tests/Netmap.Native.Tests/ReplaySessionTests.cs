using System.Diagnostics;
using Netmap.Native.Capture;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>The replay loop of the engine over pipes: what it sends, in which order, how it counts, and when it refuses.</summary>
[Collection("shm")]
public class ReplaySessionTests
{
    private const long Millisecond = 1_000_000;
    private static readonly long Epoch = 1_700_000_000L * 1_000_000_000;

    private static (NetmapPort Tx, NetmapPort Rx) Pipe() => TransmitSessionTests.Pipe();

    /// <summary>Frames numbered in their payload, <paramref name="gapMs"/> apart.</summary>
    private static ReplayFrames Numbered(int count, double gapMs, int linkType = 1)
    {
        var frames = new ReplayFrames();
        for (int i = 0; i < count; i++)
            frames.Add(PacketBuilder.Build(new PacketRecipe { Payload = BitConverter.GetBytes(i), Length = 60 + i % 7 }), Epoch + (long)(i * gapMs * Millisecond), linkType);
        return frames;
    }

    private static List<byte[]> Drain(NetmapPort rx) => TransmitSessionTests.Drain(rx);

    [Fact]
    public void SendsEveryPassInOrderAndCountsInThePortStatistics()
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            var frames = Numbered(20, 0.1);
            var session = new ReplaySession(tx, null, frames, new ReplayOptions { Loops = 3, TimeoutMs = 1000 });
            Assert.Equal(TransmitOutcome.Done, session.Run());
            session.Flush(1000);
            Assert.Equal(60, session.Sent);
            Assert.Equal(3, session.Loops);
            Assert.Equal(60, tx.Statistics.Sent);
            var received = Drain(rx);
            Assert.Equal(60, received.Count);
            for (int i = 0; i < 60; i++) Assert.Equal(frames.Frame(i % 20).ToArray(), received[i]);
            var report = session.Report();
            Assert.Equal(60, report.Frames);
            Assert.Equal(3 * frames.Bytes, report.Bytes);
            Assert.True(report.Seconds >= report.ScheduledSeconds, $"{report.Seconds} s taken for {report.ScheduledSeconds} s scheduled: no frame leaves early");
            Assert.True(report.MaxLateness >= report.MeanLateness);
        }
    }

    [Fact]
    public void AllocatesNothingPerFrame()
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            // the same replay of 20 and of 400 frames (gaps of 1 us, some of them slept, most spun or late)
            // allocates the same: whatever it allocates is per run, none per frame
            long Allocated(int frames)
            {
                var session = new ReplaySession(tx, null, Numbered(frames, 0.001), new ReplayOptions { TimeoutMs = 1000 });
                long before = GC.GetAllocatedBytesForCurrentThread();
                Assert.Equal(TransmitOutcome.Done, session.Run());
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Drain(rx);
                return allocated;
            }
            Allocated(20); // first use: JIT, the lazily made wait handle
            Assert.Equal(Allocated(20), Allocated(400));
        }
    }

    [Fact]
    public void TakesAsLongAsTheScheduleAndNoLessWithTheSpeed()
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            // 40 frames 5 ms apart: 195 ms; at speed 2, 97.5 ms; it never ends early, and on a loaded machine it may end late
            var frames = Numbered(40, 5);
            foreach (double speed in new[] { 1.0, 2.0 })
            {
                var session = new ReplaySession(tx, null, frames, new ReplayOptions { Speed = speed, TimeoutMs = 1000 });
                var clock = Stopwatch.StartNew();
                Assert.Equal(TransmitOutcome.Done, session.Run());
                double seconds = clock.Elapsed.TotalSeconds, expected = 0.195 / speed;
                Assert.Equal(expected, session.Report().ScheduledSeconds, 6);
                Assert.InRange(seconds, expected, expected + 1.0);
                Drain(rx);
            }
        }
    }

    [Fact]
    public void AFrameDueInAYearIsLeftWhenCancelled()
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            var frames = new ReplayFrames();
            byte[] frame = PacketBuilder.Build(new PacketRecipe());
            frames.Add(frame, Epoch, 1);
            frames.Add(frame, Epoch + 365L * 86400 * 1_000_000_000, 1);
            var session = new ReplaySession(tx, null, frames, new ReplayOptions());
            using var cancel = new CancellationTokenSource(300);
            var clock = Stopwatch.StartNew();
            Assert.Equal(TransmitOutcome.Stopped, session.Run(cancel.Token));
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.25, 5);
            Assert.Equal(1, session.Sent);
        }
    }

    [Fact]
    public void RefusesFramesOfAnotherLinkTypeThanThePorts()
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            var e = Assert.Throws<NetmapException>(() => new ReplaySession(tx, null, Numbered(3, 1, linkType: 101), new ReplayOptions()));
            Assert.Equal(NetmapError.InvalidRequest, e.Error);
            Assert.Contains("link type 101", e.Message);
        }
    }

    [Fact]
    public void RefusesFramesWithoutTimestampsUnlessARateIsGiven()
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            var frames = new ReplayFrames();
            frames.Add(PacketBuilder.Build(new PacketRecipe()), null, 1);
            Assert.Contains("fixed rate", Assert.Throws<NetmapException>(() => new ReplaySession(tx, null, frames, new ReplayOptions())).Message);
            var session = new ReplaySession(tx, null, frames, new ReplayOptions { Rate = 1000, Loops = 5 });
            Assert.Equal(TransmitOutcome.Done, session.Run());
            Assert.Equal(5, session.Sent);
        }
    }

    [Fact]
    public void NamesTheFrameThePortCannotSend()
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            var frames = Numbered(2, 1);
            frames.Add(new byte[tx.BufferSize + 1], Epoch + 5 * Millisecond, 1);
            var e = Assert.Throws<NetmapException>(() => new ReplaySession(tx, null, frames, new ReplayOptions()));
            Assert.StartsWith("Frame 3 of the capture:", e.Message);
            Assert.Equal(0, tx.Statistics.Sent);
        }
    }

    [Fact]
    public void ReadsTheTimestampsOfAFileInItsOwnResolution()
    {
        // gaps of 1.5 ms and 3.25 ms written in each file's own units: pcap in us and ns (either byte order), pcapng in ms and 2^-10 s
        byte[] frame = PacketBuilder.Build(new PacketRecipe());
        var files = new Dictionary<string, (byte[] File, long[] Gaps)>
        {
            ["pcap us"] = (PcapBuilder.Build(false, false, 1, [(100, 0, frame, 60), (100, 1500, frame, 60), (100, 4750, frame, 60)]), [1_500_000, 3_250_000]),
            ["pcap ns, big-endian"] = (PcapBuilder.Build(true, true, 1, [(100, 999_999_999, frame, 60), (101, 1_499_999, frame, 60), (101, 4_749_999, frame, 60)]), [1_500_000, 3_250_000]),
            ["pcapng ms"] = (new PcapNgBuilder(false).Section().Interface(1, 65535, tsresol: 3).Enhanced(0, 1000, frame).Enhanced(0, 1002, frame).Enhanced(0, 1005, frame).ToArray(), [2_000_000, 3_000_000]),
            ["pcapng 2^-10 s"] = (new PcapNgBuilder(false).Section().Interface(1, 65535, tsresol: 0x8a).Enhanced(0, 1024, frame).Enhanced(0, 1025, frame).Enhanced(0, 1027, frame).ToArray(), [976_563, 1_953_125]),
        };
        foreach (var (name, (file, gaps)) in files)
        {
            var frames = ReplayFrames.Read(CaptureReader.Read(new MemoryStream(file), name));
            var schedule = ReplaySchedule.FollowTimestamps(frames.Timestamps, frames.Lengths, 1);
            Assert.True(Math.Abs(gaps[0] - schedule.Due(0, 1)) <= 1, $"{name}: {schedule.Due(0, 1)} ns for {gaps[0]}");
            Assert.True(Math.Abs(gaps[0] + gaps[1] - schedule.Due(0, 2)) <= 1, $"{name}: {schedule.Due(0, 2)} ns for {gaps[0] + gaps[1]}");
        }
    }

    [Fact]
    public void ACorruptCaptureIsATypedErrorNotAHang()
    {
        byte[] frame = PacketBuilder.Build(new PacketRecipe());
        byte[] file = PcapBuilder.Build(false, true, 1, [(1, 0, frame, 60), (1, 5, frame, 60)]);
        file[24 + 16 + frame.Length + 8] = 0xff; // the second record's captured length: 4 GB and more
        file[24 + 16 + frame.Length + 11] = 0xff;
        var e = Assert.Throws<CaptureFormatException>(() => ReplayFrames.Read(CaptureReader.Read(new MemoryStream(file), "damaged")));
        Assert.Contains("captured length", e.Problem);
    }

    [Fact]
    public void RefusesACaptureThatMixesLinkTypes()
    {
        var frames = Numbered(2, 1);
        var e = Assert.Throws<NetmapException>(() => frames.Add(new byte[40], Epoch, 101));
        Assert.Contains("link type 101", e.Message);
        Assert.Equal(2, frames.Count);
    }
}
