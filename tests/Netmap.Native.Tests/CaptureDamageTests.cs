using System.Buffers.Binary;
using System.Diagnostics;
using Netmap.Native.Capture;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>Truncated and corrupted files: the packets before the damage, then a CaptureFormatException, and nothing else.</summary>
public class CaptureDamageTests
{
    private static byte[] Sample(CaptureFormat format, int packets = 12)
    {
        var stream = new MemoryStream();
        using (CaptureWriter writer = CaptureWriter.Create(stream, format, leaveOpen: true))
        {
            int face = writer.AddInterface("eth0");
            for (int i = 0; i < packets; i++)
                writer.Write(face, 1_700_000_000_000_000_000 + i, Enumerable.Repeat((byte)i, 1 + i * 37 % 200).ToArray());
        }
        return stream.ToArray();
    }

    // Reads until the end or the first error; returns the records read and the error, if any.
    private static (List<CaptureRecord> Records, Exception? Error) ReadAll(Stream stream)
    {
        var records = new List<CaptureRecord>();
        try
        {
            foreach (CaptureRecord record in CaptureReader.Read(stream, "damaged"))
                records.Add(record);
            return (records, null);
        }
        catch (Exception e)
        {
            return (records, e);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void APcapCutAnywhereGivesThePacketsBeforeAndTheRecordOffset(bool seekable)
    {
        byte[] file = Sample(CaptureFormat.Pcap);
        List<long> starts = CaptureLayout.PcapRecordStarts(file);
        for (int cut = 0; cut < file.Length; cut++)
        {
            byte[] part = file[..cut];
            var (records, error) = ReadAll(seekable ? new MemoryStream(part) : new UnseekableStream(part));
            int whole = Enumerable.Range(0, starts.Count - 1).Count(i => starts[i + 1] <= cut); // records ending by the cut
            Assert.Equal(whole, records.Count);
            if (cut >= 24 && starts.Contains(cut))
            {
                Assert.Null(error);
                continue;
            }
            var e = Assert.IsType<CaptureFormatException>(error);
            long expected = cut < 24 ? 0 : starts.Last(s => s < cut);
            Assert.True(expected == e.Offset, $"cut at {cut}: offset {e.Offset}, expected {expected}: {e.Message}");
            Assert.Contains($"at byte offset {expected}:", e.Message);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void APcapNgCutAnywhereGivesThePacketsBeforeAndTheBlockOffset(bool seekable)
    {
        byte[] file = Sample(CaptureFormat.PcapNg);
        List<(long Start, uint Type)> blocks = CaptureLayout.PcapNgBlocks(file);
        for (int cut = 0; cut < file.Length; cut++)
        {
            byte[] part = file[..cut];
            var (records, error) = ReadAll(seekable ? new MemoryStream(part) : new UnseekableStream(part));
            int whole = Enumerable.Range(0, blocks.Count - 1).Count(b => blocks[b].Type == 6 && blocks[b + 1].Start <= cut);
            Assert.Equal(whole, records.Count);
            if (cut > 0 && blocks.Any(b => b.Start == cut))
            {
                Assert.Null(error);
                continue;
            }
            var e = Assert.IsType<CaptureFormatException>(error);
            long expected = blocks.Last(b => b.Start < cut || b.Start == 0).Start;
            Assert.True(expected == e.Offset, $"cut at {cut}: offset {e.Offset}, expected {expected}: {e.Message}");
            if (cut > 0 && cut - expected >= 8)
                Assert.Contains("the file ends at byte", e.Message);
        }
    }

    [Fact]
    public void TheTruncationMessageNamesTheBlock()
    {
        byte[] file = Sample(CaptureFormat.PcapNg);
        var blocks = CaptureLayout.PcapNgBlocks(file);
        long start = blocks[4].Start;
        var (records, error) = ReadAll(new MemoryStream(file[..(int)(start + 20)]));
        Assert.Equal(2, records.Count);
        var e = Assert.IsType<CaptureFormatException>(error);
        Assert.Equal($"damaged: at byte offset {start}: the file ends at byte {start + 20} inside the Enhanced Packet Block starting here, " +
            $"which is {blocks[5].Start - start} bytes long.", e.Message);
        Assert.Equal(NetmapError.Corrupted, e.Error);
    }

    public static IEnumerable<object[]> Originals() =>
    [
        ["our pcapng", Sample(CaptureFormat.PcapNg, 6)],
        ["our pcap", Sample(CaptureFormat.Pcap, 6)],
        ["big-endian pcapng", new PcapNgBuilder(true).Section().Interface(1, 0, "x", tsresol: 0x94).Interface(1, 16, null, tsresol: 3, tsoffset: -5)
            .Enhanced(0, 1 << 20, new byte[30]).Obsolete(1, 5, new byte[7]).Simple(new byte[20], 40).Block(0xbad, new byte[8])
            .Enhanced(1, 1_700_000_000_000, new byte[3]).ToArray()],
        ["big-endian pcap", PcapBuilder.Build(true, false, 1, [(1, 2, new byte[40], 60), (3, 999_999, new byte[10], 10)])],
    ];

    [Theory]
    [Trait("Category", "Fuzz")]
    [MemberData(nameof(Originals))]
    public void RandomCorruptionOnlyEverGivesCaptureFormatException(string name, byte[] original)
    {
        Assert.Null(ReadAll(new MemoryStream(original)).Error); // the original is fine
        var random = new Random(4242 + Fuzz.Scale);
        int mutations = 3000 * Fuzz.Scale;
        uint[] interesting = [0, 1, 3, 4, 11, 12, 13, 28, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff, 0x0a0d0d0a, 0x1a2b3c4d, 0x4d3c2b1a, 0xa1b2c3d4];
        var clock = Stopwatch.StartNew();
        for (int mutation = 0; mutation < mutations; mutation++)
        {
            byte[] damaged = (byte[])original.Clone();
            int edits = random.Next(1, 4);
            for (int i = 0; i < edits; i++)
            {
                int at = random.Next(damaged.Length);
                switch (random.Next(3))
                {
                    case 0:
                        damaged[at] ^= (byte)(1 << random.Next(8));
                        break;
                    case 1:
                        damaged[at] = (byte)random.Next(256);
                        break;
                    default:
                        at -= at % 4;
                        if (at + 4 <= damaged.Length)
                            BinaryPrimitives.WriteUInt32LittleEndian(damaged.AsSpan(at), interesting[random.Next(interesting.Length)]);
                        break;
                }
            }
            if (random.Next(4) == 0)
                damaged = damaged[..random.Next(damaged.Length)];

            var (_, error) = ReadAll(random.Next(2) == 0 ? new MemoryStream(damaged) : new UnseekableStream(damaged));
            Assert.True(error is null or CaptureFormatException,
                $"{name}, mutation {mutation}: {error?.GetType().Name}: {error?.Message}\n{Convert.ToHexString(damaged)}");
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30 * Fuzz.Scale), $"{mutations} reads of small damaged files took {clock.Elapsed}: a hang?");
    }
}
