using System.Buffers.Binary;
using Netmap.Native.Filters;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>Hand-built programs, run through both the IL and the interpreter.</summary>
public unsafe class FilterRunnerTests
{
    private static BpfInstruction I(int code, uint k = 0, byte jt = 0, byte jf = 0) => new((ushort)code, jt, jf, k);

    // "udp dst port 53" for IPv4 without fragments, written by hand:
    // ldh [12]; jeq #0x800; ldb [23]; jeq #17; ldh [20]; jset #0x1fff; ldxb 4*([14]&0xf); ldh [x+16]; jeq #53; ret #1; ret #0
    private static readonly BpfInstruction[] UdpDns =
    [
        I(0x28, 12), I(0x15, 0x0800, 0, 8),
        I(0x30, 23), I(0x15, 17, 0, 6),
        I(0x28, 20), I(0x45, 0x1fff, 4, 0),
        I(0xb1, 14), I(0x48, 16), I(0x15, 53, 0, 1),
        I(0x06, 1), I(0x06, 0),
    ];

    private static byte[] Udp4Frame(int dport, int ipHeaderLength = 20, ushort fragment = 0)
    {
        byte[] frame = new byte[14 + ipHeaderLength + 8];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        frame[14] = (byte)(0x40 | ipHeaderLength / 4);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), fragment);
        frame[23] = 17;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + ipHeaderLength + 2), (ushort)dport);
        return frame;
    }

    public static IEnumerable<object[]> Engines() => [[true], [false]];

    private static PacketFilter Build(BpfInstruction[] program, bool il) =>
        il ? PacketFilter.FromProgram(program) : PacketFilter.FromProgramInterpreted(program);

    [Theory, MemberData(nameof(Engines))]
    public void HandBuiltDnsFilterSelectsUdpPort53(bool il)
    {
        var filter = Build(UdpDns, il);
        Assert.True(filter.Matches(Udp4Frame(53)));
        Assert.True(filter.Matches(Udp4Frame(53, ipHeaderLength: 28)));
        Assert.False(filter.Matches(Udp4Frame(54)));
        Assert.False(filter.Matches(Udp4Frame(53, fragment: 5)));
        byte[] tcp = Udp4Frame(53);
        tcp[23] = 6;
        Assert.False(filter.Matches(tcp));
    }

    [Theory, MemberData(nameof(Engines))]
    public void LoadsOutsideTheCapturedBytesReject(bool il)
    {
        var filter = Build(UdpDns, il);
        byte[] frame = Udp4Frame(53);
        Assert.True(filter.Matches(frame.AsSpan(0, frame.Length), 1500));
        Assert.True(filter.Matches(frame.AsSpan(0, 38), 1500));  // the port is bytes 36 and 37
        Assert.False(filter.Matches(frame.AsSpan(0, 37), 1500)); // port's second byte missing
        Assert.False(filter.Matches(frame.AsSpan(0, 13), 1500));
        Assert.False(filter.Matches(ReadOnlySpan<byte>.Empty, 0));
        // ld [k] near 2^32 must not wrap around to a small offset.
        Assert.False(Build([I(0x20, uint.MaxValue - 1), I(0x06, 1)], il).Matches(frame));
        Assert.False(Build([I(0x01, uint.MaxValue), I(0x50, 2), I(0x06, 1)], il).Matches(frame));
    }

    [Theory, MemberData(nameof(Engines))]
    public void ReturnsTheRetValueAndReadsWireLength(bool il)
    {
        // ld len; jgt #100; ret a; ret #0
        var filter = Build([I(0x80), I(0x25, 100, 0, 1), I(0x16), I(0x06, 0)], il);
        byte[] frame = new byte[60];
        fixed (byte* p = frame)
        {
            Assert.Equal(0u, filter.Run(p, 60, 60));
            Assert.Equal(1500u, filter.Run(p, 60, 1500));
            Assert.Equal(1500u, filter.Interpret(p, 60, 1500));
        }
    }

    [Theory, MemberData(nameof(Engines))]
    public void ArithmeticFollowsBpf(bool il)
    {
        // A = 7; X = 0; A /= X rejects.
        Assert.False(Build([I(0x00, 7), I(0x01, 0), I(0x3c), I(0x06, 1)], il).Matches(new byte[1]));
        Assert.False(Build([I(0x00, 7), I(0x01, 0), I(0x9c), I(0x06, 1)], il).Matches(new byte[1]));
        // A = 1; X = 40; A <<= X gives 0 (not 1 << 8).
        Assert.False(Build([I(0x00, 1), I(0x01, 40), I(0x6c), I(0x16)], il).Matches(new byte[1]));
        // A = 0x10; M[2] = A; X = 3; A = -A; A = A * X; A ^= 0xff; X = M[2]; A = A mod X; ...
        byte[] frame = new byte[1];
        BpfInstruction[] program =
        [
            I(0x00, 0x10), I(0x02, 2), I(0x01, 3), I(0x84), I(0x2c), I(0xa4, 0xff), I(0x61, 2), I(0x9c),
            I(0x54, 0xf), I(0x44, 0x100), I(0x14, 1), I(0x74, 1), I(0x16),
        ];
        // (((-16 * 3) ^ 0xff) % 16) = (0xffffffd0 ^ 0xff) % 16 = 0xffffff2f % 16 = 15; & 15 = 15; | 0x100; -1; >> 1
        uint expected = ((unchecked((uint)-48) ^ 0xff) % 16 & 0xf | 0x100) - 1 >> 1;
        fixed (byte* p = frame)
            Assert.Equal(expected, Build(program, il).Run(p, 1, 1));
    }

    [Theory, MemberData(nameof(Engines))]
    public void JumpsCompareUnsigned(bool il)
    {
        // A = 0x80000000; jgt #1 → ret #2 else ret #3
        var filter = Build([I(0x00, 0x80000000), I(0x25, 1, 0, 1), I(0x06, 2), I(0x06, 3)], il);
        fixed (byte* p = new byte[1])
            Assert.Equal(2u, filter.Run(p, 1, 1));
    }

    [Fact]
    public void WireLengthShorterThanCapturedIsRefused()
    {
        var filter = PacketFilter.FromProgram([I(0x06, 1)]);
        Assert.Throws<ArgumentOutOfRangeException>(() => filter.Matches(new byte[10], 9));
    }

    [Fact]
    [Trait("Category", "Fuzz")]
    public void TheIlTheInterpreterAndLibpcapAgreeOnRandomPrograms()
    {
        var random = new Random(1234 + Fuzz.Scale);
        byte[] packet = new byte[96];
        int programs = 0, count = 3000 * Fuzz.Scale;
        for (int attempt = 0; programs < count; attempt++)
        {
            BpfInstruction[] program = RandomProgram(random);
            PacketFilter filter;
            try { filter = PacketFilter.FromProgram(program); }
            catch (FilterException) { continue; }
            programs++;
            for (int run = 0; run < 8; run++)
            {
                random.NextBytes(packet);
                int captured = random.Next(packet.Length + 1);
                fixed (byte* p = packet)
                fixed (BpfInstruction* code = program)
                {
                    uint interpreted = filter.Interpret(p, captured, captured + run);
                    Assert.Equal(interpreted, filter.Run(p, captured, captured + run));
                    Assert.Equal(bpf_filter(code, p, (uint)(captured + run), (uint)captured), interpreted);
                }
            }
        }
    }

    /// <summary>libpcap's own interpreter: the reference for what a program accepted by the checker returns.</summary>
    [System.Runtime.InteropServices.DllImport("libpcap.so.0.8")]
    private static extern uint bpf_filter(BpfInstruction* program, byte* packet, uint wireLength, uint capturedLength);

    // Short programs of mostly valid opcodes with small offsets, constants and jumps, ending with a RET.
    private static BpfInstruction[] RandomProgram(Random random)
    {
        int[] codes =
        [
            0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x80, 0x00, 0x60, 0x81, 0xb1, 0x01, 0x61, 0x02, 0x03, 0x07, 0x87,
            0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c, 0x44, 0x4c, 0x54, 0x5c, 0xa4, 0xac,
            0x64, 0x6c, 0x74, 0x7c, 0x84, 0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x06, 0x16,
        ];
        int length = random.Next(1, 24);
        var program = new BpfInstruction[length];
        for (int pc = 0; pc < length; pc++)
        {
            int code = codes[random.Next(codes.Length)];
            uint k = random.Next(4) switch
            {
                0 => (uint)random.Next(100),
                1 => (uint)random.Next(16),
                2 => (uint)random.Next(),
                _ => (uint)random.Next(40),
            };
            if (code == 0x05)
                k = (uint)random.Next(Math.Max(1, length - pc));
            program[pc] = new BpfInstruction((ushort)code, (byte)random.Next(length - pc), (byte)random.Next(length - pc), k);
        }
        program[^1] = new BpfInstruction((ushort)(random.Next(2) == 0 ? 0x06 : 0x16), 0, 0, (uint)random.Next(3));
        return program;
    }
}
