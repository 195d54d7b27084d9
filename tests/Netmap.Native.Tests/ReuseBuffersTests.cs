using Netmap.Native.Abi;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>
/// PacketTransmitter.ReuseBuffers (pkt-gen tx's default): a buffer that already holds the repeated frame is not
/// written again when its slot comes round; one whose slot got another buffer, or NS_BUF_CHANGED, is. On a VALE
/// port the TX buffers stay in their slots (the switch copies out of them), as on a kernel pipe or a NIC.
/// </summary>
[Collection("shm")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public unsafe class ReuseBuffersTests(ShmDirectory shm)
{
    /// <summary>Two ports of a new emulated VALE switch: a sends, b receives what a sends.</summary>
    private static (NetmapPort A, NetmapPort B) TwoPorts()
    {
        string sw = "vale" + $"{Guid.NewGuid():N}"[..8];
        return (NetmapPort.Open($"{sw}:a", PortMode.Emulated), NetmapPort.Open($"{sw}:b", PortMode.Emulated));
    }

    /// <summary>Puts <paramref name="count"/> copies of <paramref name="frame"/> in the ring and hands them over.</summary>
    private static void SendCopies(PacketTransmitter tx, byte[] frame, int count)
    {
        fixed (byte* source = frame)
            for (int left = count; left > 0;)
            {
                int run = tx.CommitCopies(source, frame.Length, left, 1000);
                Assert.True(run > 0, "no room in the TX ring");
                left -= run;
            }
        Assert.True(tx.Flush(1000));
    }

    /// <summary>The tag byte (TestFrames.Broadcast) of every frame the port receives, in order.</summary>
    private static List<byte> Tags(NetmapPort port)
    {
        var got = new List<NetmapPacket>();
        var receiver = new PacketReceiver(port);
        while (receiver.ReceiveAll(got, 1024, 100) > 0) { }
        return got.Select(p => p.Data[20]).ToList();
    }

    [Fact]
    public void ABufferThatHoldsTheFrameIsNotWrittenAgainOneTheKernelChangedIs()
    {
        var (a, b) = TwoPorts();
        using var _a = a;
        using var _b = b;
        var ring = a.TxRing(0).Header;
        int n = (int)ring->NumSlots - 1;
        var tx = new PacketTransmitter(a) { ReuseBuffers = true };
        byte[] frame = TestFrames.Broadcast(1);

        SendCopies(tx, frame, n); // slots 0 .. n-1 written
        Assert.Equal(Enumerable.Repeat((byte)1, n), Tags(b));

        // What another party could do to the buffers the sender got back: write into five of them in place,
        // mark slot 1 NS_BUF_CHANGED, and swap the buffers of slots 2 and 3.
        for (uint s = 0; s < 5; s++) NetmapRing.Buffer(ring, NetmapRing.Slot(ring, s)->BufferIndex)[20] = 9;
        NetmapRing.Slot(ring, 1)->Flags |= SlotFlags.BufferChanged;
        (NetmapRing.Slot(ring, 2)->BufferIndex, NetmapRing.Slot(ring, 3)->BufferIndex) = (NetmapRing.Slot(ring, 3)->BufferIndex, NetmapRing.Slot(ring, 2)->BufferIndex);

        SendCopies(tx, frame, n); // slot n (never written: written), then slots 0 .. n-2
        var tags = Tags(b);
        Assert.Equal(n, tags.Count);
        Assert.Equal(new byte[] { 1, 9, 1, 1, 1, 9, 1 }, tags.Take(7)); // slots n, 0 (kept), 1 (marked), 2 and 3 (swapped), 4 (kept), 5
        Assert.All(tags.Skip(7), t => Assert.Equal(1, t));

        tx.ReuseBuffers = true; // forgets what the buffers held: everything is written
        for (uint s = 0; s < ring->NumSlots; s++) NetmapRing.Buffer(ring, NetmapRing.Slot(ring, s)->BufferIndex)[20] = 9;
        SendCopies(tx, frame, n);
        Assert.Equal(Enumerable.Repeat((byte)1, n), Tags(b));
    }

    [Fact]
    public void WithoutReuseEveryFrameIsWritten()
    {
        var (a, b) = TwoPorts();
        using var _a = a;
        using var _b = b;
        var ring = a.TxRing(0).Header;
        int n = (int)ring->NumSlots - 1;
        var tx = new PacketTransmitter(a);
        SendCopies(tx, TestFrames.Broadcast(1), n);
        Assert.Equal(n, Tags(b).Count);
        for (uint s = 0; s < ring->NumSlots; s++) NetmapRing.Buffer(ring, NetmapRing.Slot(ring, s)->BufferIndex)[20] = 9;
        SendCopies(tx, TestFrames.Broadcast(1), n);
        Assert.Equal(Enumerable.Repeat((byte)1, n), Tags(b));
    }
}
