using System.Text;
using BenchmarkDotNet.Attributes;
using Netmap.Native.Packets;
using PacketDotNet;

namespace Netmap.Micro;

/// <summary>
/// 1000 DNS responses over UDP (a question and one to three answers, names compressed): NetmapPacket's layers
/// read to the DNS answers (FrameDecoder + DnsDecoder) against PacketDotNet's own parse of the same frames
/// (Packet.ParsePacket down to its UdpPacket and payload; PacketDotNet has no DNS layer). One operation is one frame.
/// </summary>
[MemoryDiagnoser]
public class DnsBenchmarks
{
    private const int Frames = 1000;
    private byte[][] _frames = null!;

    [GlobalSetup]
    public void Setup()
    {
        _frames = Enumerable.Range(0, Frames).Select(i => PacketBuilder.Build(new PacketRecipe
        {
            SourcePort = 53, DestinationPort = (ushort)(40000 + i), Payload = Response((ushort)i, $"host{i % 37}.example.com", 1 + i % 3),
        })).ToArray();
        if (NetmapPacketDns() != Enumerable.Range(0, Frames).Sum(i => 1 + i % 3) || PacketDotNetParse() == 0)
            throw new InvalidOperationException("the frames did not parse as DNS responses");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Frames, Description = "PacketDotNet ParsePacket to the UDP payload")]
    public int PacketDotNetParse()
    {
        int bytes = 0;
        foreach (byte[] frame in _frames)
            bytes += Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<UdpPacket>()?.PayloadData.Length ?? 0;
        return bytes;
    }

    [Benchmark(OperationsPerInvoke = Frames, Description = "NetmapPacket layers to the DNS answers")]
    public int NetmapPacketDns()
    {
        int answers = 0;
        foreach (byte[] frame in _frames)
            answers += new NetmapPacket(frame, DateTime.UnixEpoch, "bench", 0, 0).Dns?.Answers.Count ?? 0;
        return answers;
    }

    private static byte[] Response(ushort id, string name, int answers)
    {
        var m = new List<byte> { (byte)(id >> 8), (byte)id, 0x81, 0x80, 0, 1, 0, (byte)answers, 0, 0, 0, 0 };
        foreach (string label in name.Split('.')) { m.Add((byte)label.Length); m.AddRange(Encoding.ASCII.GetBytes(label)); }
        m.AddRange([0, 0, 1, 0, 1]);
        for (int a = 0; a < answers; a++) m.AddRange([0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 10, 0, 0, (byte)a]);
        return [.. m];
    }
}
