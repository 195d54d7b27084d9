using Netmap.Native.Capture;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>Files made by hand: both byte orders, both pcap magics, pcapng features our writer does not use.</summary>
public class CaptureReadTests
{
    private static readonly byte[] A = [1, 2, 3, 4, 5], B = [6, 7, 8, 9, 10, 11, 12, 13];

    private static CaptureRecord[] Read(byte[] file) => CaptureReader.Read(new MemoryStream(file), "test file").ToArray();

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ReadsPcapInEitherByteOrderWithEitherMagic(bool bigEndian, bool nanoseconds)
    {
        byte[] file = PcapBuilder.Build(bigEndian, nanoseconds, 1, [(1_700_000_000, 123_456, A, 60), (1_700_000_001, 999_999, B, 8)]);
        CaptureRecord[] records = Read(file);
        long scale = nanoseconds ? 1 : 1000;
        Assert.Equal(2, records.Length);
        Assert.Equal(1_700_000_000_000_000_000 + 123_456 * scale, records[0].TimestampNanoseconds);
        Assert.Equal(1_700_000_001_000_000_000 + 999_999 * scale, records[1].TimestampNanoseconds);
        Assert.Equal(A, records[0].Data);
        Assert.Equal(60, records[0].OriginalLength);
        Assert.Equal(B, records[1].Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsPcapNgWithSeveralClocksAndBlockKinds(bool bigEndian)
    {
        byte[] file = new PcapNgBuilder(bigEndian)
            .Section()
            .Interface(1, 0, "default-us")                             // if_tsresol absent: microseconds
            .Interface(1, 0, "ns", tsresol: 9)                         // nanoseconds
            .Interface(101, 0, "binary", tsresol: 0x80 | 20)           // 2^-20 seconds
            .Interface(1, 0, null, tsresol: 3, tsoffset: 1_000_000_000) // milliseconds plus an offset of 10^9 s
            .Block(4, new byte[8])                                    // Name Resolution Block: skipped
            .Enhanced(0, 1_700_000_000_123_456, A)
            .Enhanced(1, 1_700_000_000_123_456_789, B, originalLength: 1500)
            .Enhanced(2, (1UL << 20) * 3 + (1UL << 19), A)            // 3.5 s
            .Block(0x0bad, new byte[12])                              // custom block: skipped
            .Enhanced(3, 700_000_000_250, A)                          // 700000000.250 s + 10^9 s
            .Obsolete(1, 42, B)
            .Simple(B, 1514)
            .Block(5, new byte[16])                                   // Interface Statistics Block: skipped
            .ToArray();
        CaptureRecord[] r = Read(file);

        Assert.Equal(6, r.Length);
        Assert.Equal((0, "default-us", 1_700_000_000_123_456_000L), (r[0].InterfaceIndex, r[0].InterfaceName, r[0].TimestampNanoseconds));
        Assert.Equal((1, "ns", 1_700_000_000_123_456_789L, 1500), (r[1].InterfaceIndex, r[1].InterfaceName, r[1].TimestampNanoseconds, r[1].OriginalLength));
        Assert.Equal((2, 101, 3_500_000_000L), (r[2].InterfaceIndex, r[2].LinkType, r[2].TimestampNanoseconds));
        Assert.Equal((3, (string?)null, 1_700_000_000_250_000_000L), (r[3].InterfaceIndex, r[3].InterfaceName, r[3].TimestampNanoseconds));
        Assert.Equal((1, 42L), (r[4].InterfaceIndex, r[4].TimestampNanoseconds)); // obsolete Packet Block
        Assert.Equal(B, r[4].Data);
        Assert.Equal((0, 1514, 0L), (r[5].InterfaceIndex, r[5].OriginalLength, r[5].TimestampNanoseconds)); // Simple Packet Block
        Assert.Equal(B, r[5].Data);
    }

    [Fact]
    public void ASimplePacketBlockIsCutToTheFirstInterfacesSnapLength()
    {
        byte[] file = new PcapNgBuilder(false).Section().Interface(1, 4).Simple(B, 8).ToArray();
        Assert.Equal(B[..4], Assert.Single(Read(file)).Data);
    }

    [Fact]
    public void InterfacesAreNumberedAcrossSectionsOfDifferentByteOrder()
    {
        byte[] first = new PcapNgBuilder(false).Section().Interface(1, 0, "a").Interface(1, 0, "b").Enhanced(1, 1, A).ToArray();
        byte[] second = new PcapNgBuilder(true).Section().Interface(1, 0, "c").Enhanced(0, 2, B).ToArray();
        CaptureRecord[] r = Read([.. first, .. second]);
        Assert.Equal([(1, "b"), (2, "c")], r.Select(x => (x.InterfaceIndex, x.InterfaceName)));
        Assert.Equal(B, r[1].Data);
    }

    [Fact]
    public void APacketForAnUndescribedInterfaceIsCorrupt()
    {
        byte[] file = new PcapNgBuilder(false).Section().Interface(1, 0).Enhanced(0, 1, A).Enhanced(1, 2, A).ToArray();
        long secondPacket = CaptureLayout.PcapNgBlocks(file)[3].Start;
        var records = new List<CaptureRecord>();
        var e = Assert.Throws<CaptureFormatException>(() => { foreach (var r in CaptureReader.Read(new MemoryStream(file), "x.pcapng")) records.Add(r); });
        Assert.Single(records);
        Assert.Equal(secondPacket + 8, e.Offset);
        Assert.Equal(NetmapError.Corrupted, e.Error);
        Assert.Equal($"x.pcapng: at byte offset {secondPacket + 8}: the packet block refers to interface 1, but the section has described 1 interface so far.", e.Message);
    }

    [Theory]
    [InlineData(new byte[0], "the file is empty")]
    [InlineData(new byte[] { 1, 2 }, "only 2 bytes long")]
    [InlineData(new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8', 0, 0 }, "neither a pcap magic number nor a pcapng Section Header Block")]
    public void NotACaptureFileIsSaidAtOffsetZero(byte[] file, string problem)
    {
        var e = Assert.Throws<CaptureFormatException>(() => Read(file));
        Assert.Equal(0, e.Offset);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void UnsupportedVersionsAreNamed()
    {
        byte[] pcapng = new PcapNgBuilder(false).Section(major: 2).ToArray();
        Assert.Contains("pcapng version 2.0 is not supported", Assert.Throws<CaptureFormatException>(() => Read(pcapng)).Message);
        byte[] pcap = PcapBuilder.Build(false, false, 1, []);
        pcap[4] = 3;
        Assert.Contains("pcap version 3.4 is not supported", Assert.Throws<CaptureFormatException>(() => Read(pcap)).Message);
    }

    [Fact]
    public void ATimestampBeyond64BitNanosecondsIsCorrupt()
    {
        byte[] file = new PcapNgBuilder(false).Section().Interface(1, 0, tsresol: 3).Enhanced(0, ulong.MaxValue, A).ToArray();
        var e = Assert.Throws<CaptureFormatException>(() => Read(file));
        Assert.Contains("outside the years 1677 to 2262", e.Message);
    }

    [Fact]
    public void MismatchedTrailingLengthIsCorrupt()
    {
        byte[] file = new PcapNgBuilder(false).Section().Interface(1, 0).Enhanced(0, 1, A).ToArray();
        file[^4] ^= 0x40;
        var e = Assert.Throws<CaptureFormatException>(() => Read(file));
        Assert.Equal(file.Length - 4, e.Offset);
        Assert.Contains("ends with the total length", e.Message);
    }
}
