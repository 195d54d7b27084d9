using System.Diagnostics;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>
/// How receive loops wait: sleeping in the driver's wait or busy-waiting on rxsync, and the receiver's
/// release riding on its next wait (or on HandBack at the end of a loop).
/// </summary>
[Collection("shm")] // ports open in the shared directory the collection sets up (NETMAPPS_SHM_DIR is process-wide)
public class ReceiveWaitTests
{
    private static (NetmapPort Tx, NetmapPort Rx) Pipe()
    {
        string name = $"rw{Guid.NewGuid():N}"[..10];
        var tx = NetmapPort.Open($"netmap:{name}{{1", PortMode.Emulated);
        return (tx, NetmapPort.Open($"netmap:{name}}}1", PortMode.Emulated));
    }

    private static int SendUpTo(NetmapPort port, int count) => TrafficMeterTests.SendUpTo(port, count);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReturnsFalseAfterTheTimeoutWhenNothingCameAndTrueOnceAFrameIsThere(bool busy)
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            var wait = new ReceiveWait(busy);
            var clock = Stopwatch.StartNew();
            Assert.False(wait.Until(rx, 200, default));
            Assert.InRange(clock.ElapsedMilliseconds, 150, 5000);
            Assert.Equal(1, SendUpTo(tx, 1));
            Assert.True(wait.Until(rx, 1000, default));
            Assert.False(rx.RxRing(rx.RxRings.First).IsEmpty);
        }
    }

    [Fact]
    public void ABusyWaitEndsWhenCancelled()
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            using var cancel = new CancellationTokenSource(100);
            var clock = Stopwatch.StartNew();
            Assert.False(new ReceiveWait(true).Until(rx, -1, cancel.Token)); // no timeout: only the cancellation ends it
            Assert.InRange(clock.ElapsedMilliseconds, 50, 5000);
        }
    }

    [Fact]
    public void ConsumedSlotsGoBackWithTheNextWaitOrWithHandBack()
    {
        var (tx, rx) = Pipe();
        using (tx) using (rx)
        {
            var receiver = new PacketReceiver(rx);
            Assert.Equal(2 * 1023, SendUpTo(tx, 5000));      // the TX ring and the peer's RX ring, full
            var got = new List<NetmapPacket>();
            Assert.Equal(1023, receiver.Receive(got, 5000, 100));
            receiver.Release(got.Count);                      // consumed, not yet handed back:
            Assert.Equal(0, SendUpTo(tx, 10));                // no room moves
            receiver.HandBack();
            Assert.Equal(10, SendUpTo(tx, 10));               // handed back: room again

            got.Clear();
            Assert.Equal(1023, receiver.Receive(got, 5000, 100)); // what moved, brought in by the wait's sync
            receiver.Release(got.Count);
            tx.TxSync();                                      // no room for the 10 yet: the 1023 have not gone back
            got.Clear();
            Assert.Equal(0, receiver.Receive(got, 5000, 100)); // nothing new; this wait synced, handing the 1023 back
            tx.TxSync();                                      // so now the 10 have room
            Assert.Equal(10, receiver.Receive(got, 5000, 1000));
        }
    }
}
