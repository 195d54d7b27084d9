using Netmap.Native.Kernel;
using Netmap.Native.PortNames;
using Netmap.Native.Ports;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>The rings a registration binds, as the kernel interprets nr_mode, nr_ringid and nr_flags.</summary>
public class RegisteredRingsTests
{
    // A port with 4 TX and 2 RX NIC rings, 1 host TX and 2 host RX rings.
    private static readonly PortRingCounts Nic = new(4, 2, 1, 2);

    [Theory]
    [InlineData(RegisterMode.AllNic, 0, 0u, 4u, 0u, 2u)]
    [InlineData(RegisterMode.Null, 0, 0u, 4u, 0u, 2u)]
    [InlineData(RegisterMode.Host, 0, 4u, 5u, 2u, 4u)]
    [InlineData(RegisterMode.NicAndHost, 0, 0u, 5u, 0u, 4u)]
    [InlineData(RegisterMode.OneNic, 1, 1u, 2u, 1u, 2u)]
    [InlineData(RegisterMode.OneNic, 3, 3u, 4u, 0u, 1u)]     // RX has no ring 3: the kernel takes ring 0
    [InlineData(RegisterMode.OneHost, 0, 4u, 5u, 2u, 3u)]
    [InlineData(RegisterMode.OneHost, 1, 4u, 5u, 3u, 4u)]    // TX has one host ring: the kernel takes the first
    public void ModesBindTheKernelsRings(RegisterMode mode, ushort ringId, uint txFirst, uint txEnd, uint rxFirst, uint rxEnd)
    {
        var (tx, rx) = RegisteredRings.Compute(mode, ringId, RegisterFlags.None, Nic);
        Assert.Equal(new RingSpan(txFirst, txEnd), tx);
        Assert.Equal(new RingSpan(rxFirst, rxEnd), rx);
    }

    [Fact]
    public void DirectionFlagsDropTheOtherDirection()
    {
        var (tx, rx) = RegisteredRings.Compute(RegisterMode.OneNic, 1, RegisterFlags.TxRingsOnly, Nic);
        Assert.Equal(new RingSpan(1, 2), tx);
        Assert.Equal(0u, rx.Count);
        (tx, rx) = RegisteredRings.Compute(RegisterMode.AllNic, 0, RegisterFlags.RxRingsOnly | RegisterFlags.Exclusive, Nic);
        Assert.Equal(0u, tx.Count);
        Assert.Equal(new RingSpan(0, 2), rx);
        (tx, rx) = RegisteredRings.Compute(RegisterMode.AllNic, 0, RegisterFlags.RxRingsOnly | RegisterFlags.TxRingsOnly, Nic);
        Assert.Equal(0u, tx.Count + rx.Count);
    }

    [Fact]
    public void APipeHasNoHostRings()
    {
        var pipe = new PortRingCounts(1, 1, 0, 0);
        Assert.Equal((new RingSpan(0, 1), new RingSpan(0, 1)), RegisteredRings.Compute(RegisterMode.AllNic, 0, RegisterFlags.None, pipe));
        Assert.Equal((new RingSpan(0, 1), new RingSpan(0, 1)), RegisteredRings.Compute(RegisterMode.NicAndHost, 0, RegisterFlags.None, pipe));
    }
}
