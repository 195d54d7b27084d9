using System.Net;
using System.Runtime.InteropServices;
using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>FlowHash: the same value both ways of a flow, flows spread, and no read past a frame's end.</summary>
public sealed unsafe class FlowHashTests
{
    [Theory]
    [InlineData("10.0.0.1", "10.1.2.3", 6, false)]
    [InlineData("10.0.0.1", "10.1.2.3", 17, true)]
    [InlineData("2001:db8::1", "2001:db8::2", 6, false)]
    [InlineData("2001:db8::1", "2001:db8::2", 132, true)]
    [InlineData("10.0.0.7", "10.0.0.7", 17, false)] // one address: the ports decide the order
    public void BothDirectionsOfAFlowHashAlike(string client, string server, byte protocol, bool vlan)
    {
        for (int port = 1000; port < 1100; port++)
        {
            uint forward = Hash(Frame(client, server, protocol, port, 443, vlan));
            uint reverse = Hash(Frame(server, client, protocol, 443, port, vlan));
            Assert.Equal(forward, reverse);
        }
    }

    [Fact]
    public void FlowsSpreadOverTheOutputs()
    {
        var perOutput = new int[4];
        for (int i = 0; i < 400; i++) perOutput[Hash(Frame($"10.0.{i / 250}.{i % 250 + 1}", "10.9.0.1", 6, 40000 + i, 80, false)) % 4]++;
        Assert.All(perOutput, n => Assert.InRange(n, 60, 140));
    }

    [Fact]
    public void AVlanTagOrAFragmentDoesNotChangeWhatIsHashed()
    {
        Assert.Equal(Hash(Frame("10.0.0.1", "10.0.0.2", 17, 5, 6, false)), Hash(Frame("10.0.0.1", "10.0.0.2", 17, 5, 6, true)));
        var fragment = Frame("10.0.0.1", "10.0.0.2", 17, 5, 6, false);
        fragment[14 + 6] = 0x20; // more fragments: the ports are not used
        Assert.Equal(Hash(Frame("10.0.0.1", "10.0.0.2", 17, 0, 0, false)), Hash(fragment));
        Assert.NotEqual(Hash(Frame("10.0.0.1", "10.0.0.2", 17, 5, 6, false)), Hash(fragment));
    }

    [Fact]
    public void ReadsNothingPastTheEndOfAFrame()
    {
        // each frame, cut at every length, ends where an unreadable page begins: a read past it would crash the test
        nint pages = Interop.LibC.MMap(0, 8192, Interop.LibC.PROT_READ | Interop.LibC.PROT_WRITE, Interop.LibC.MAP_PRIVATE | Interop.LibC.MAP_ANONYMOUS, -1, 0);
        Assert.NotEqual(-1, pages);
        try
        {
            Assert.Equal(0, MProtect(pages + 4096, 4096, 0));
            byte* end = (byte*)pages + 4096;
            foreach (var frame in PacketFrames.Generate(400, 7).Select(f => f.Data)
                         .Concat([Frame("10.0.0.1", "10.0.0.2", 6, 1, 2, true), Frame("fd00::1", "fd00::2", 17, 1, 2, true)]))
                for (int length = 0; length <= Math.Min(frame.Length, 4096); length++)
                {
                    frame.AsSpan(0, length).CopyTo(new Span<byte>(end - length, length));
                    FlowHash.Of(end - length, length);
                }
        }
        finally
        {
            Interop.LibC.MUnmap(pages, 8192);
        }
    }

    [DllImport("libc", EntryPoint = "mprotect")]
    private static extern int MProtect(nint address, nuint length, int protection);

    private static uint Hash(byte[] frame)
    {
        fixed (byte* p = frame) return FlowHash.Of(p, frame.Length);
    }

    /// <summary>Ethernet (with an 802.1Q tag when asked), IPv4 or IPv6, and the two ports of the transport header.</summary>
    private static byte[] Frame(string source, string destination, byte protocol, int sourcePort, int destinationPort, bool vlan)
    {
        byte[] s = IPAddress.Parse(source).GetAddressBytes(), d = IPAddress.Parse(destination).GetAddressBytes();
        bool v6 = s.Length == 16;
        var frame = new List<byte> { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
        if (vlan) frame.AddRange(new byte[] { 0x81, 0x00, 0x00, 0x14 });
        frame.AddRange(v6 ? new byte[] { 0x86, 0xdd } : new byte[] { 0x08, 0x00 });
        if (v6) frame.AddRange(new byte[] { 0x60, 0, 0, 0, 0, 8, protocol, 64 });
        else frame.AddRange(new byte[] { 0x45, 0, 0, 28, 0, 1, 0, 0, 64, protocol, 0, 0 });
        frame.AddRange(s);
        frame.AddRange(d);
        frame.AddRange(new byte[] { (byte)(sourcePort >> 8), (byte)sourcePort, (byte)(destinationPort >> 8), (byte)destinationPort, 0, 8, 0, 0 });
        while (frame.Count < 60) frame.Add(0);
        return frame.ToArray();
    }
}
