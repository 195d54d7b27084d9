using Netmap.Native.Ports;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>A pipe end learns that its peer is gone, and waits for a peer that has not come yet.</summary>
[Collection("shm")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class PipePeerTests(ShmDirectory shm)
{
    private static string Unique(string stem) => $"{stem}{Guid.NewGuid():N}"[..15]; // IFNAMSIZ

    [Fact]
    public void WaitEndsWhenThePeerThatWasOpenCloses()
    {
        string name = Unique("pp");
        using var rx = NetmapPort.Open($"netmap:{name}}}1");
        var tx = NetmapPort.Open($"netmap:{name}{{1");
        Assert.False(rx.Wait(WaitDirection.Receive, 150));   // peer open, nothing sent: an ordinary timeout
        tx.Dispose();
        var e = Assert.Throws<NetmapException>(() => rx.Wait(WaitDirection.Receive, 5000));
        Assert.Equal(NetmapError.PeerGone, e.Error);
        Assert.NotEmpty(shm.Files()); // the region stays while this end is open
    }

    [Fact]
    public void WaitEndsWhenAPeerCameAndWentBeforeTheWait()
    {
        string name = Unique("pq");
        using var rx = NetmapPort.Open($"netmap:{name}}}1");
        NetmapPort.Open($"netmap:{name}{{1").Dispose();
        var e = Assert.Throws<NetmapException>(() => rx.Wait(WaitDirection.Receive, 5000));
        Assert.Equal(NetmapError.PeerGone, e.Error);
    }

    [Fact]
    public void AnEndWhosePeerNeverCameWaitsAndTimesOut()
    {
        using var lone = NetmapPort.Open($"netmap:{Unique("pn")}}}1");
        Assert.False(lone.Wait(WaitDirection.Receive, 250));
        Assert.True(lone.Wait(WaitDirection.Transmit, 250)); // room to send, for a receiver still to come
    }

    [Fact]
    public void PacketsSentBeforeThePeerLeftAreStillDelivered()
    {
        string name = Unique("pd");
        using var rx = NetmapPort.Open($"netmap:{name}}}1");
        using (var tx = NetmapPort.Open($"netmap:{name}{{1"))
        {
            var t = new Netmap.Native.Rings.PacketTransmitter(tx);
            for (int i = 0; i < 3; i++) t.Send(new byte[60], 1000);
            t.Flush(1000);
        }
        var got = new List<Netmap.Native.Packets.NetmapPacket>();
        var receiver = new Netmap.Native.Rings.PacketReceiver(rx);
        Assert.Equal(3, receiver.ReceiveAll(got, 16, 1000));
        Assert.Throws<NetmapException>(() => receiver.ReceiveAll(got, 16, 1000));
    }
}
