using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>The meter's release: on its next wait, as pkt-gen's receiver, or at once with Release.</summary>
[Collection("shm")] // ports open in the shared directory the collection sets up (NETMAPPS_SHM_DIR is process-wide)
public class TrafficMeterTests
{
    internal static readonly byte[] Frame = PacketBuilder.Build(new PacketRecipe { DestinationPort = 9, Length = 60 });

    /// <summary>Sends the test frame until <paramref name="count"/> or the TX ring is full, then hands it over; returns how many went in.</summary>
    internal static int SendUpTo(NetmapPort port, int count)
    {
        var t = new PacketTransmitter(port);
        int sent = 0;
        while (sent < count && t.Send(Frame, 0)) sent++;
        port.TxSync();
        return sent;
    }

    [Fact]
    public void CountedSlotsGoBackWithTheNextWaitOrWithRelease()
    {
        string name = $"tm{Guid.NewGuid():N}"[..10];
        using var tx = NetmapPort.Open($"netmap:{name}{{1", PortMode.Emulated);
        using var rx = NetmapPort.Open($"netmap:{name}}}1", PortMode.Emulated);
        var meter = new TrafficMeter(rx);
        Assert.Equal(2 * 1023, SendUpTo(tx, 5000));        // the TX ring and the peer's RX ring, full
        long counted = 0;
        while (counted < 1023) counted += meter.Poll(100);
        Assert.Equal(1023, counted);                        // the RX ring, counted and not yet handed back:
        Assert.Equal(0, SendUpTo(tx, 10));                  // no room moves
        meter.Release();
        Assert.Equal(10, SendUpTo(tx, 10));                 // handed back: the TX ring moved on, room again

        counted = 0;
        while (counted < 1023) counted += meter.Poll(100);  // what moved; the 10 wait in the TX ring
        tx.TxSync();
        Assert.Equal(0, meter.Poll(0));                     // empty rings: the wait (of zero time) syncs, and so releases
        tx.TxSync();
        Assert.Equal(10, meter.Poll(100));
    }
}
