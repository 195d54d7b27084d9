using Netmap.Native.Abi;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>
/// A user that damages a slot of its own TX ring (a buffer index outside the region, a length larger
/// than a buffer): txsync refuses that frame and counts it, touches no memory outside the region, and
/// the port and the other ports of the pipe or switch go on working.
/// </summary>
[Collection("shm")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public unsafe class DamagedSlotTests(ShmDirectory shm)
{
    private static string Unique(string stem) => $"{stem}{Guid.NewGuid():N}"[..12];

    /// <summary>Puts three frames in the TX ring, damages the second and third slots, and syncs.</summary>
    private static void SendWithTwoDamagedSlots(NetmapPort port, byte tag)
    {
        var t = new PacketTransmitter(port);
        var ring = port.TxRing(0).Header;
        uint first = ring->Head;
        for (int i = 0; i < 3; i++) Assert.True(t.Send(TestFrames.Broadcast(tag), 1000));
        NetmapRing.Slot(ring, RingMath.Next(first, ring->NumSlots))->BufferIndex = 0x7fffffff;
        NetmapRing.Slot(ring, RingMath.Advance(first, 2, ring->NumSlots))->Length = 60000;
        port.TxSync();
    }

    private static List<NetmapPacket> ReceiveAll(NetmapPort port)
    {
        var got = new List<NetmapPacket>();
        new PacketReceiver(port).ReceiveAll(got, 64, 200);
        return got;
    }

    [Fact]
    public void APipeRefusesDamagedSlotsAndGoesOn()
    {
        string name = Unique("ds");
        using var tx = NetmapPort.Open($"netmap:{name}{{1");
        using var rx = NetmapPort.Open($"netmap:{name}}}1");

        SendWithTwoDamagedSlots(tx, 1);

        Assert.Single(ReceiveAll(rx));
        Assert.Equal(2, tx.TransmitErrors);
        // The rest of the ring still works: frames in the other slots go through intact (the damaged slots stay the user's to repair, as in netmap).
        var t = new PacketTransmitter(tx);
        int good = (int)tx.TxRing(0).Header->NumSlots - 10;
        var got = new List<NetmapPacket>();
        var receiver = new PacketReceiver(rx);
        for (int i = 0; i < good; i++)
        {
            Assert.True(t.Send(TestFrames.Broadcast(2), 1000));
            if (i % 64 == 63) { t.Flush(1000); receiver.ReceiveAll(got, 1024, 100); }
        }
        t.Flush(1000);
        while (receiver.ReceiveAll(got, 1024, 100) > 0) { }
        Assert.Equal(good, got.Count);
        Assert.All(got, p => Assert.Equal(2, p.Data[20]));
    }

    [Fact]
    public void ASwitchRefusesDamagedSlotsAndItsOtherPortsGoOn()
    {
        string sw = "vale" + Unique("d")[..8];
        using var a = NetmapPort.Open($"{sw}:a");
        using var b = NetmapPort.Open($"{sw}:b");
        using var c = NetmapPort.Open($"{sw}:c");

        SendWithTwoDamagedSlots(a, 1);
        Assert.Equal(2, a.TransmitErrors);
        Assert.Single(ReceiveAll(b));
        Assert.Single(ReceiveAll(c));

        var t = new PacketTransmitter(c);
        Assert.True(t.Send(TestFrames.Broadcast(3), 1000));
        Assert.True(t.Flush(1000));
        Assert.Equal(3, Assert.Single(ReceiveAll(a)).Data[20]);
        Assert.Equal(3, Assert.Single(ReceiveAll(b)).Data[20]);
        Assert.Equal(0, c.TransmitErrors);
    }

    [Fact]
    public void ADamagedRxSlotIsNotReleasedAndThePipeGoesOnOnceRepaired()
    {
        string name = Unique("dr");
        using var tx = NetmapPort.Open($"netmap:{name}{{1");
        using var rx = NetmapPort.Open($"netmap:{name}}}1");
        var t = new PacketTransmitter(tx);
        for (int i = 0; i < 3; i++) Assert.True(t.Send(TestFrames.Broadcast(1), 1000));
        Assert.True(t.Flush(1000));
        rx.RxSync();
        var ring = rx.RxRing(0).Header;
        uint first = ring->Head, tail = ring->Tail;
        var slot = NetmapRing.Slot(ring, RingMath.Next(first, ring->NumSlots));
        uint own = slot->BufferIndex;
        slot->BufferIndex = 0x7fffffff;
        ring->Head = ring->Cur = tail;                // release all three

        var e = Assert.Throws<NetmapException>(() => rx.RxSync());
        Assert.Equal(NetmapError.Corrupted, e.Error);
        Assert.Contains("outside the region", e.Message);
        Assert.Equal(first, ring->Head);              // nothing was released

        slot->BufferIndex = own;                      // repaired: the frames are read and released as usual
        Assert.Equal(3, ReceiveAll(rx).Count);
        Assert.True(t.Send(TestFrames.Broadcast(2), 1000));
        Assert.True(t.Flush(1000));
        Assert.Equal(2, Assert.Single(ReceiveAll(rx)).Data[20]);
        Assert.Equal(0, tx.TransmitErrors);
    }
}
