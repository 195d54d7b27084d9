using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Netmap.Native.Filters;
using Netmap.Native.Packets;

namespace Netmap.Micro;

/// <summary>
/// 'udp dst port 53' over 1000 UDP frames of 60 to 259 bytes, 1 % of them to port 53: PacketFilter.Matches
/// against libpcap's bpf_filter (P/Invoke, call overhead included) running the same program on the same buffers.
/// One operation is one frame.
/// </summary>
[MemoryDiagnoser]
public unsafe class FilterBenchmarks
{
    private const int Frames = 1000;
    private byte[][] _frames = null!;
    private GCHandle[] _pinned = null!;
    private PacketFilter _filter = null!;
    private PcapInsn[] _program = null!;

    [GlobalSetup]
    public void Setup()
    {
        _frames = Enumerable.Range(0, Frames)
            .Select(i => PacketBuilder.Build(new PacketRecipe { DestinationPort = (ushort)(i % 100 == 0 ? 53 : 1000 + i), Length = 60 + i % 200 }))
            .ToArray();
        _pinned = _frames.Select(f => GCHandle.Alloc(f, GCHandleType.Pinned)).ToArray();
        _filter = PacketFilter.Compile("udp dst port 53");
        _program = _filter.Program.Select(i => new PcapInsn { Code = i.Code, Jt = i.JumpTrue, Jf = i.JumpFalse, K = i.K }).ToArray();
        if (PacketFilterMatches() != Frames / 100 || LibpcapBpfFilter() != Frames / 100)
            throw new InvalidOperationException("the filters do not match 1 % of the frames");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var h in _pinned) h.Free();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Frames, Description = "libpcap bpf_filter")]
    public int LibpcapBpfFilter()
    {
        int matched = 0;
        fixed (PcapInsn* p = _program)
            for (int i = 0; i < Frames; i++)
            {
                uint length = (uint)_frames[i].Length;
                matched += LibPcap.bpf_filter(p, (byte*)_pinned[i].AddrOfPinnedObject(), length, length) != 0 ? 1 : 0;
            }
        return matched;
    }

    [Benchmark(OperationsPerInvoke = Frames, Description = "PacketFilter.Matches")]
    public int PacketFilterMatches()
    {
        int matched = 0;
        for (int i = 0; i < Frames; i++) matched += _filter.Matches(_frames[i]) ? 1 : 0;
        return matched;
    }
}

[StructLayout(LayoutKind.Sequential)]
public struct PcapInsn { public ushort Code; public byte Jt; public byte Jf; public uint K; }

internal static unsafe partial class LibPcap
{
    [LibraryImport("libpcap.so.0.8")]
    public static partial uint bpf_filter(PcapInsn* program, byte* packet, uint wireLength, uint capturedLength);
}
