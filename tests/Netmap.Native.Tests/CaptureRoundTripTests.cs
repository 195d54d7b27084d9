using Netmap.Native;
using Netmap.Native.Capture;
using Xunit;

namespace Netmap.Native.Tests;

public class CaptureRoundTripTests
{
    internal static readonly (int Face, long Nanoseconds, byte[] Data, int Original)[] Packets = MakePackets();

    private static (int, long, byte[], int)[] MakePackets()
    {
        var random = new Random(99);
        return Enumerable.Range(0, 40).Select(i =>
        {
            byte[] data = new byte[random.Next(0, 1600)];
            random.NextBytes(data);
            long ns = 1_700_000_000_123_456_789 + i * 1_000_000_007L;
            return (i % 3, ns, data, data.Length + (i % 5 == 0 ? 100 : 0));
        }).ToArray();
    }

    /// <summary>Writes <see cref="Packets"/> on three interfaces (eth0, vale0:a, and an unnamed raw-IP one).</summary>
    internal static void WriteSample(CaptureWriter writer, bool oneLinkType = false)
    {
        Assert.Equal(0, writer.AddInterface("eth0"));
        Assert.Equal(1, writer.AddInterface("vale0:a"));
        Assert.Equal(2, writer.AddInterface(null, linkType: oneLinkType ? 1 : 101, snapLength: 65535));
        foreach (var (face, ns, data, original) in Packets)
            writer.Write(face, ns, data, original);
    }

    [Fact]
    public void PcapNgKeepsInterfacesNanosecondsAndLengths()
    {
        var stream = new MemoryStream();
        using (CaptureWriter writer = CaptureWriter.Create(stream, CaptureFormat.PcapNg, leaveOpen: true))
        {
            WriteSample(writer);
            Assert.Equal(Packets.Length, writer.PacketCount);
        }
        Assert.Equal(0, stream.Length % 4);
        CaptureRecord[] records = CaptureReader.Read(new MemoryStream(stream.ToArray())).ToArray();

        Assert.Equal(Packets.Length, records.Length);
        for (int i = 0; i < records.Length; i++)
        {
            var (face, ns, data, original) = Packets[i];
            CaptureRecord r = records[i];
            Assert.Equal(face, r.InterfaceIndex);
            Assert.Equal(face switch { 0 => "eth0", 1 => "vale0:a", _ => null }, r.InterfaceName);
            Assert.Equal(face == 2 ? 101 : 1, r.LinkType);
            Assert.Equal(ns, r.TimestampNanoseconds);
            Assert.Equal(DateTime.UnixEpoch.AddTicks(ns / 100), r.Timestamp);
            Assert.Equal(DateTimeKind.Utc, r.Timestamp.Kind);
            Assert.Equal(original, r.OriginalLength);
            Assert.Equal(data, r.Data);
        }
    }

    [Fact]
    public void PcapKeepsNanosecondsAndLengths()
    {
        var stream = new MemoryStream();
        using (CaptureWriter writer = CaptureWriter.Create(stream, CaptureFormat.Pcap, leaveOpen: true))
            WriteSample(writer, oneLinkType: true);
        byte[] bytes = stream.ToArray();
        Assert.Equal([0x4d, 0x3c, 0xb2, 0xa1], bytes[..4]); // nanosecond magic, little-endian
        CaptureRecord[] records = CaptureReader.Read(new MemoryStream(bytes)).ToArray();

        Assert.Equal(Packets.Length, records.Length);
        for (int i = 0; i < records.Length; i++)
        {
            var (face, ns, data, original) = Packets[i];
            Assert.Equal(0, records[i].InterfaceIndex);
            Assert.Null(records[i].InterfaceName);
            Assert.Equal(1, records[i].LinkType);
            Assert.Equal(ns, records[i].TimestampNanoseconds);
            Assert.Equal(original, records[i].OriginalLength);
            Assert.Equal(face == 2 && data.Length > 65535 ? data[..65535] : data, records[i].Data);
        }
    }

    [Fact]
    public void DataLongerThanTheSnapLengthIsCut()
    {
        var stream = new MemoryStream();
        using (CaptureWriter writer = CaptureWriter.Create(stream, CaptureFormat.PcapNg, leaveOpen: true))
        {
            int face = writer.AddInterface("eth0", snapLength: 64);
            writer.Write(face, 5, new byte[1000]);
        }
        CaptureRecord record = Assert.Single(CaptureReader.Read(new MemoryStream(stream.ToArray())));
        Assert.Equal(64, record.Data.Length);
        Assert.Equal(1000, record.OriginalLength);
    }

    [Fact]
    public void APcapFileHoldsOneLinkType()
    {
        using CaptureWriter writer = CaptureWriter.Create(new MemoryStream(), CaptureFormat.Pcap);
        writer.AddInterface("eth0");
        Assert.Equal(1, writer.AddInterface("eth1"));
        var e = Assert.Throws<NetmapException>(() => writer.AddInterface("raw", linkType: 101));
        Assert.Equal(NetmapError.InvalidRequest, e.Error);
        Assert.Contains("pcapng", e.Message);
    }

    [Fact]
    public void PcapNgCutsAnInterfaceNameTooLongForAnOptionAtACharacterBoundary()
    {
        var stream = new MemoryStream();
        using (CaptureWriter writer = CaptureWriter.Create(stream, CaptureFormat.PcapNg, leaveOpen: true))
            writer.Write(writer.AddInterface(new string('\u20ac', 30000)), 1, new byte[60]);   // 90,000 bytes in UTF-8
        stream.Position = 0;
        var record = CaptureReader.Read(stream).Single();
        Assert.Equal(new string('\u20ac', 65532 / 3), record.InterfaceName);
    }

    [Fact]
    public void WriteChecksItsArguments()
    {
        using CaptureWriter writer = CaptureWriter.Create(new MemoryStream(), CaptureFormat.PcapNg);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(0, 1, new byte[10]));
        int face = writer.AddInterface("eth0");
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(face + 1, 1, new byte[10]));
        // A time before 1970 is a fact of the packet (a capture file can say so), not a programming error.
        Assert.Equal(NetmapError.InvalidRequest, Assert.Throws<NetmapException>(() => writer.Write(face, -1, new byte[10])).Error);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(face, 1, new byte[10], 9));
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Write(face, 1, new byte[10]));
    }

    [Theory]
    [InlineData(CaptureFormat.Pcap)]
    [InlineData(CaptureFormat.PcapNg)]
    public void AFileWithNoPacketsIsValid(CaptureFormat format)
    {
        var stream = new MemoryStream();
        CaptureWriter.Create(stream, format, leaveOpen: true).Dispose();
        Assert.Empty(CaptureReader.Read(new MemoryStream(stream.ToArray())));
    }

    [Theory]
    [InlineData("a.pcap", CaptureFormat.Pcap)]
    [InlineData("a.CAP", CaptureFormat.Pcap)]
    [InlineData("a.pcapng", CaptureFormat.PcapNg)]
    [InlineData("a", CaptureFormat.PcapNg)]
    public void TheExtensionChoosesTheFormat(string path, CaptureFormat expected) =>
        Assert.Equal(expected, CaptureWriter.FormatFromExtension(path));

    [Theory]
    [InlineData("capture.pcap")]
    [InlineData("capture.pcapng")]
    public void TheFileIsValidAfterEachFlushAndHoldsOnlyWholeBlocksBetween(string name)
    {
        using var temp = new TempDirectory();
        string path = temp.File(name);
        using CaptureWriter writer = CaptureWriter.Create(path);
        int face = writer.AddInterface("eth0");
        byte[] data = new byte[1000];
        for (int batch = 1; batch <= 3; batch++)
        {
            for (int i = 0; i < 150; i++) // more than one internal batch: some reach the file before Flush
            {
                writer.Write(face, i, data);
                if (i % 50 == 0)
                    Assert.True(ReadWhileOpen(path) <= writer.PacketCount); // never a partial block
            }
            writer.Flush();
            Assert.Equal(batch * 150, ReadWhileOpen(path));
        }
    }

    private static int ReadWhileOpen(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new FileInfo(path).Length == 0 ? 0 : CaptureReader.Read(stream, path).Count();
    }

    [Fact]
    public void OpenSaysWhenTheFileIsMissing() =>
        Assert.Throws<FileNotFoundException>(() => CaptureReader.Open("/nonexistent/capture.pcapng"));
}
