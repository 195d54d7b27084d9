using System.Globalization;
using System.Text.RegularExpressions;
using Netmap.Native.Capture;
using Xunit;
using Xunit.Abstractions;

namespace Netmap.Native.Tests;

/// <summary>Our files read by tshark and tcpdump, and files written by tshark, editcap and tcpdump read by us.</summary>
public sealed class CaptureToolTests(ITestOutputHelper output)
{
    private static (int Face, long Nanoseconds, byte[] Data, int Original)[] Packets => CaptureRoundTripTests.Packets;

    [ToolFact("tshark")]
    public void TsharkReadsOurPcapNgWithInterfaceNamesAndNanoseconds()
    {
        using var temp = new TempDirectory();
        string path = temp.File("ours.pcapng");
        using (CaptureWriter writer = CaptureWriter.Create(path))
            CaptureRoundTripTests.WriteSample(writer);

        string[][] rows = Tshark(path);
        Assert.Equal(Packets.Length, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            var (face, ns, _, original) = Packets[i];
            Assert.Equal(EpochText(ns), rows[i][0]);
            Assert.Equal(original.ToString(CultureInfo.InvariantCulture), rows[i][1]);
            Assert.Equal(face switch { 0 => "eth0", 1 => "vale0:a", _ => "unknown" }, rows[i][2]); // tshark's word for no if_name
        }
    }

    [ToolFact("tshark")]
    public void TsharkReadsOurPcapWithNanoseconds()
    {
        using var temp = new TempDirectory();
        string path = temp.File("ours.pcap");
        using (CaptureWriter writer = CaptureWriter.Create(path))
            CaptureRoundTripTests.WriteSample(writer, oneLinkType: true);

        string[][] rows = Tshark(path);
        Assert.Equal(Packets.Length, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(EpochText(Packets[i].Nanoseconds), rows[i][0]);
            Assert.Equal(Packets[i].Original.ToString(CultureInfo.InvariantCulture), rows[i][1]);
        }
    }

    [ToolFact("tcpdump")]
    public void TcpdumpReadsOurPcapNg()
    {
        using var temp = new TempDirectory();
        string path = temp.File("ours.pcapng");
        using (CaptureWriter writer = CaptureWriter.Create(path))
        {
            int face = writer.AddInterface("eth0");
            foreach (var (_, ns, data, original) in Packets)
                writer.Write(face, ns, data, original);
        }
        var (exit, stdout, stderr) = ExternalTool.Run("tcpdump", "-nn", "-r", path, "--time-stamp-precision=nano", "-tt");
        Assert.True(exit == 0, stderr);
        // One line per packet starts with its timestamp; random payloads may add continuation lines.
        string[] lines = stdout.Split('\n').Where(line => Regex.IsMatch(line, @"^\d{10}\.\d{9} ")).ToArray();
        Assert.Equal(Packets.Length, lines.Length);
        for (int i = 0; i < lines.Length; i++)
            Assert.StartsWith(EpochText(Packets[i].Nanoseconds) + " ", lines[i]);
    }

    [ToolFact("editcap")]
    public void WeReadWhatEditcapWrites()
    {
        using var temp = new TempDirectory();
        string ours = temp.File("ours.pcapng");
        using (CaptureWriter writer = CaptureWriter.Create(ours))
            CaptureRoundTripTests.WriteSample(writer, oneLinkType: true);

        foreach (var (format, scale) in new[] { ("pcapng", 1L), ("nsecpcap", 1L), ("pcap", 1000L) })
        {
            string theirs = temp.File($"editcap.{format}");
            var (exit, _, stderr) = ExternalTool.Run("editcap", "-F", format, ours, theirs);
            Assert.True(exit == 0, $"editcap -F {format}: {stderr}");
            CaptureRecord[] records = CaptureReader.Open(theirs).ToArray();
            output.WriteLine($"editcap -F {format}: {records.Length} records");
            Assert.Equal(Packets.Length, records.Length);
            for (int i = 0; i < records.Length; i++)
            {
                Assert.Equal(Packets[i].Nanoseconds / scale * scale, records[i].TimestampNanoseconds);
                Assert.Equal(Packets[i].Original, records[i].OriginalLength);
                Assert.Equal(Packets[i].Data.Length > 65535 && Packets[i].Face == 2 ? Packets[i].Data[..65535] : Packets[i].Data, records[i].Data);
                if (format == "pcapng")
                    Assert.Equal(Packets[i].Face switch { 0 => "eth0", 1 => "vale0:a", _ => null }, records[i].InterfaceName);
            }
        }
    }

    [ToolFact("tcpdump", "tshark")]
    public void WeReadWhatTcpdumpAndTsharkWrite()
    {
        using var temp = new TempDirectory();
        string ours = temp.File("ours.pcapng");
        using (CaptureWriter writer = CaptureWriter.Create(ours))
        {
            int face = writer.AddInterface("eth0");
            foreach (var (_, ns, data, original) in Packets)
                writer.Write(face, ns, data, original);
        }
        string byTcpdump = temp.File("tcpdump.pcap"), byTshark = temp.File("tshark.pcapng");
        Assert.Equal(0, ExternalTool.Run("tcpdump", "-r", ours, "-w", byTcpdump).Exit);
        Assert.Equal(0, ExternalTool.Run("tshark", "-r", ours, "-F", "pcapng", "-w", byTshark).Exit);

        CaptureRecord[] fromTcpdump = CaptureReader.Open(byTcpdump).ToArray(), fromTshark = CaptureReader.Open(byTshark).ToArray();
        Assert.Equal(Packets.Length, fromTcpdump.Length);
        Assert.Equal(Packets.Length, fromTshark.Length);
        for (int i = 0; i < Packets.Length; i++)
        {
            Assert.Equal(Packets[i].Nanoseconds / 1000 * 1000, fromTcpdump[i].TimestampNanoseconds); // tcpdump writes microseconds
            Assert.Equal(Packets[i].Nanoseconds, fromTshark[i].TimestampNanoseconds);
            Assert.Equal(Packets[i].Data, fromTcpdump[i].Data);
            Assert.Equal(Packets[i].Data, fromTshark[i].Data);
            Assert.Equal("eth0", fromTshark[i].InterfaceName);
        }
    }

    // tshark -T fields rows (time_epoch, len, interface_name); fails on anything tshark says on stderr.
    private string[][] Tshark(string path)
    {
        var (exit, stdout, stderr) = ExternalTool.Run("tshark", "-r", path, "-T", "fields",
            "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.interface_name");
        // Run as root, tshark always warns about that; nothing else may appear.
        string complaints = string.Join('\n', stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith("Running as user \"root\"", StringComparison.Ordinal)));
        output.WriteLine($"tshark stderr: '{stderr.Trim()}'");
        Assert.True(exit == 0, $"tshark failed ({exit}): {stderr}");
        Assert.Equal("", complaints);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToArray();
    }

    private static string EpochText(long nanoseconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1_000_000_000}.{nanoseconds % 1_000_000_000:D9}");
}
