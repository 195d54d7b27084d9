using System.Buffers.Binary;
using Netmap.Native.Capture;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>The ring of files tcpdump -C -W -G -s writes, read back by our reader (tshark and tcpdump read them in the Pester tests).</summary>
public sealed class RotatingCaptureWriterTests
{
    /// <summary>A clock the test moves.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
        public override long GetTimestamp() => Now.UtcTicks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }

    // Packet i: its number in the first 4 bytes, a length that varies from 60 to 1559.
    private static byte[] Frame(int i)
    {
        var frame = new byte[60 + (i * 37) % 1500];
        BinaryPrimitives.WriteInt32BigEndian(frame, i);
        return frame;
    }

    private static int Number(CaptureRecord record) => BinaryPrimitives.ReadInt32BigEndian(record.Data);

    [Theory]
    [InlineData(CaptureFormat.PcapNg)]
    [InlineData(CaptureFormat.Pcap)]
    public void ARingKeepsTheNewestPacketsInOrderAndNoFilePassesTheLimit(CaptureFormat format)
    {
        using var temp = new TempDirectory();
        string basePath = temp.File("ring");
        var options = new RotationOptions { MaxFileBytes = 20_000, MaxFiles = 4 };
        int files;
        using (var writer = new RotatingCaptureWriter(basePath, format, options))
        {
            int face = writer.AddInterface("vale0:a");
            for (int i = 0; i < 3000; i++)
                Assert.True(writer.Write(face, 1_000_000_000L * i, Frame(i), 2000));
            files = writer.FileCount;
        }

        Assert.True(files > 4, $"{files} files: the ring should have wrapped");
        Assert.Equal(["ring0", "ring1", "ring2", "ring3"], Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order());
        var numbers = new List<int>();
        for (int k = 0; k < 4; k++)
        {
            string file = basePath + ((files + k) % 4);   // oldest first: the one after the current
            Assert.InRange(new FileInfo(file).Length, 1, options.MaxFileBytes);
            var records = CaptureReader.Open(file).ToList();
            Assert.NotEmpty(records);
            if (format == CaptureFormat.PcapNg) Assert.All(records, r => Assert.Equal("vale0:a", r.InterfaceName));
            numbers.AddRange(records.Select(Number));
        }
        Assert.Equal(2999, numbers[^1]);
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
    }

    [Fact]
    public void ASizeLimitWithoutARingNumbersTheFilesFromTheSecondOnAndLosesNothing()
    {
        using var temp = new TempDirectory();
        string basePath = temp.File("long.pcapng");
        using (var writer = new RotatingCaptureWriter(basePath, options: new RotationOptions { MaxFileBytes = 50_000 }))
        {
            int face = writer.AddInterface("a");
            for (int i = 0; i < 500; i++) writer.Write(face, i, Frame(i), Frame(i).Length);
        }
        var names = Directory.GetFiles(temp.Path).Select(Path.GetFileName).ToList();
        Assert.Contains("long.pcapng", names);
        Assert.Contains("long.pcapng1", names);
        Assert.DoesNotContain("long.pcapng0", names);
        var all = names.OrderBy(n => n!.Length).ThenBy(n => n, StringComparer.Ordinal)
            .SelectMany(n => CaptureReader.Open(temp.File(n!))).Select(Number);
        Assert.Equal(Enumerable.Range(0, 500), all);
    }

    [Fact]
    public void AnInterfaceAddedLaterIsDescribedInEveryLaterFileWithTheSameIndex()
    {
        using var temp = new TempDirectory();
        string basePath = temp.File("faces.pcapng");
        using (var writer = new RotatingCaptureWriter(basePath, options: new RotationOptions { MaxFileBytes = 5_000 }))
        {
            int a = writer.AddInterface("a");
            for (int i = 0; i < 20; i++) writer.Write(a, i, Frame(i), Frame(i).Length);
            int b = writer.AddInterface("b", linkType: 101);
            for (int i = 20; i < 60; i++) writer.Write(i % 2 == 0 ? a : b, i, Frame(i), Frame(i).Length);
            Assert.True(writer.FileCount > 3);
        }
        foreach (string file in Directory.GetFiles(temp.Path).Where(f => !f.EndsWith("faces.pcapng", StringComparison.Ordinal)))
            Assert.All(CaptureReader.Open(file), r =>
            {
                int n = Number(r);
                if (n >= 20) Assert.Equal(n % 2 == 0 ? ("a", 1) : ("b", 101), (r.InterfaceName!, r.LinkType));
            });
    }

    [Fact]
    public void ARotationIntervalOpensANewFileWhenAPacketArrivesLateAndFillsInTheTimeFields()
    {
        using var temp = new TempDirectory();
        var clock = new ManualClock();
        string basePath = temp.File("t-%Y%m%d-%H%M%S.pcap");
        using (var writer = new RotatingCaptureWriter(basePath, options: new RotationOptions { RotateInterval = TimeSpan.FromSeconds(10) }, clock: clock))
        {
            int face = writer.AddInterface(null);
            writer.Write(face, 1, Frame(1), 2000);
            clock.Now += TimeSpan.FromSeconds(9);
            writer.Write(face, 2, Frame(2), 2000);             // 9 s: same file
            clock.Now += TimeSpan.FromSeconds(30);            // nothing arrives: no empty files
            writer.Write(face, 3, Frame(3), 2000);             // 39 s: the next file
            Assert.Equal(2, writer.FileCount);
        }
        Assert.Equal([1, 2], CaptureReader.Open(temp.File("t-20260304-050607.pcap")).Select(Number));
        Assert.Equal([3], CaptureReader.Open(temp.File("t-20260304-050646.pcap")).Select(Number));
    }

    [Fact]
    public void ARotationIntervalWithAFileCountStopsAfterThatManyFiles()
    {
        using var temp = new TempDirectory();
        var clock = new ManualClock();
        using var writer = new RotatingCaptureWriter(temp.File("g.pcapng"), options: new RotationOptions { RotateInterval = TimeSpan.FromSeconds(1), MaxFiles = 2 }, clock: clock);
        int face = writer.AddInterface("a");
        Assert.True(writer.Write(face, 1, Frame(1), 2000));
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.True(writer.Write(face, 2, Frame(2), 2000));
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.False(writer.Write(face, 3, Frame(3), 2000));
        Assert.True(writer.IsFinished);
        Assert.Equal([1], CaptureReader.Open(temp.File("g.pcapng")).Select(Number));
        Assert.Equal([2], CaptureReader.Open(temp.File("g.pcapng1")).Select(Number));
        Assert.Equal(2, Directory.GetFiles(temp.Path).Length);
    }

    [Fact]
    public void ASnapLengthCutsPacketsAndKeepsTheirOriginalLength()
    {
        using var temp = new TempDirectory();
        string path = temp.File("snap.pcapng");
        using (var writer = new RotatingCaptureWriter(path, options: new RotationOptions { SnapLength = 96 }))
        {
            int face = writer.AddInterface("a");
            writer.Write(face, 1, Frame(0), 60);
            writer.Write(face, 2, Frame(1), 1400);
        }
        var records = CaptureReader.Open(path).ToList();
        Assert.Equal([(60, 60), (96, 1400)], records.Select(r => (r.Data.Length, r.OriginalLength)));
        Assert.Equal(Frame(1)[..96], records[1].Data);
    }

    [Theory]
    [InlineData(1, "cap")]
    [InlineData(10, "cap7")]
    [InlineData(11, "cap07")]
    [InlineData(101, "cap007")]
    public void RingFilesArePaddedAsTcpdumpPadsThem(int files, string seventh)
    {
        using var temp = new TempDirectory();
        using var writer = new RotatingCaptureWriter(temp.File("cap"), CaptureFormat.Pcap, new RotationOptions { MaxFileBytes = 1000, MaxFiles = files });
        Assert.Equal(temp.File(seventh), writer.FileName(files == 1 ? 0 : 7, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void FileCountAloneIsRefusedAsTcpdumpRefusesW()
    {
        using var temp = new TempDirectory();
        var e = Assert.Throws<NetmapException>(() => new RotatingCaptureWriter(temp.File("x"), options: new RotationOptions { MaxFiles = 3 }));
        Assert.Equal(NetmapError.InvalidRequest, e.Error);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void StrftimeFieldsAreFilledAndOtherTextKept() =>
        Assert.Equal("a-2026-03-04T05:06:07-063-1772600767-%-%q-%",
            RotatingCaptureWriter.FormatTime("a-%Y-%m-%dT%H:%M:%S-%j-%s-%%-%q-%", new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero)));
}
