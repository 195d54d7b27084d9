using Netmap.Native.Filters;
using Xunit;

namespace Netmap.Native.Tests;

public unsafe class FilterAllocationTests
{
    [Fact]
    public void MatchesAllocatesNothing()
    {
        var filter = PacketFilter.Compile("tcp[tcpflags] & tcp-syn != 0 or udp dst port 53 or vlan and icmp");
        List<TestFrame> frames = FilterFrames.Generate(64, seed: 7);
        int matched = 0;
        foreach (TestFrame frame in frames) // warm up: JIT, tiering
            matched += filter.Matches(frame.Data, frame.WireLength) ? 1 : 0;

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            TestFrame frame = frames[i & 63];
            matched += filter.Matches(frame.Data, frame.WireLength) ? 1 : 0;
            fixed (byte* p = frame.Data)
                matched += filter.Matches(p, frame.Data.Length, frame.WireLength) ? 1 : 0;
        }
        long after = GC.GetAllocatedBytesForCurrentThread();

        Assert.Equal(before, after);
        Assert.True(matched > 0);
    }
}
