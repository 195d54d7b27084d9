using Netmap.Native.Emulated;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>
/// Every byte of a shared region can be written by another process. Here a second mapping of the
/// region file plays that process: it writes out-of-range values into each kind of shared field
/// (kring indices, slot buffer indices, the ring header's geometry, lock words, random bytes).
/// What must hold: no crash, no hang, every failure a typed <see cref="NetmapException"/>, and ports
/// whose own memory is intact go on.
/// </summary>
[Collection("shm")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public unsafe class SharedRegionTrustTests(ShmDirectory shm)
{
    private static string Unique(string stem) => $"{stem}{Guid.NewGuid():N}"[..11];

    /// <summary>The region of <paramref name="port"/>, mapped a second time as another process would map it (through its file's anchor).</summary>
    private sealed class Intruder : IDisposable
    {
        private readonly nint _address;

        public Intruder(NetmapPort port)
        {
            int fd = Interop.LibC.OpenOwnRegularFile(port.Region, out _);
            Assert.True(fd >= 0, $"cannot open {port.Region}");
            var anchor = RegionSegment.ReadAnchor(fd);
            Interop.LibC.Close(fd);
            Assert.NotNull(anchor);
            _address = RegionSegment.Attach(anchor!.Value, readOnly: false);
            Assert.NotEqual(-1, _address);
            Base = (byte*)_address;
            Size = anchor.Value.Size;
            Layout = new RegionLayout(RegionLayout.ReadGeometry(Base, Size)!);
        }

        public byte* Base { get; }
        public long Size { get; }
        public RegionLayout Layout { get; }
        /// <summary>The kring of ring <paramref name="r"/> of <paramref name="port"/>.</summary>
        public KringState* Kring(uint port, bool tx, uint r = 0) => Layout.Kring(Base, Layout.RingIndex(port, tx, r));
        public Abi.NetmapRing* Ring(uint port, bool tx, uint r = 0) => Layout.Ring(Base, Layout.RingIndex(port, tx, r));

        public void Dispose() => RegionSegment.Unmap(_address);
    }

    private static int ReceiveAll(NetmapPort port, int timeoutMs = 200)
    {
        var got = new List<NetmapPacket>();
        new PacketReceiver(port).ReceiveAll(got, 1024, timeoutMs);
        return got.Count;
    }

    /// <summary><paramref name="action"/> fails with a Corrupted error that names the buffer index <paramref name="value"/> out of range.</summary>
    private static void AssertBufferIndexOutOfRange(long value, Action action)
    {
        var e = Assert.Throws<NetmapException>(action);
        Assert.Equal(NetmapError.Corrupted, e.Error);
        Assert.Equal("buffer index", e.Field);
        Assert.Equal(value, e.Value);
    }

    private static void Send(NetmapPort port, int count, byte tag = 1)
    {
        var t = new PacketTransmitter(port);
        for (int i = 0; i < count; i++) Assert.True(t.Send(TestFrames.Broadcast(tag), 1000));
        Assert.True(t.Flush(1000));
    }

    [Fact]
    public void AnRxHwtailOutOfRangeFailsThatSyncNamingTheFieldAndValue()
    {
        string name = Unique("tt");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var slave = NetmapPort.Open($"netmap:{name}}}1");
        using var master2 = NetmapPort.Open($"netmap:{name}{{2");
        using var slave2 = NetmapPort.Open($"netmap:{name}}}2");
        using var intruder = new Intruder(master);

        intruder.Kring(1, tx: false)->HwTail = 0xffffff; // slave {1 is port 1 of the region
        var e = Assert.Throws<NetmapException>(() => slave.RxSync());
        Assert.Equal(NetmapError.Corrupted, e.Error);
        Assert.Equal("hwtail", e.Field);
        Assert.Equal(0xffffff, e.Value);
        Assert.Contains("16777215", e.Message);
        // The sender into that ring is told too, instead of writing slot 0xffffff.
        var sent = Assert.Throws<NetmapException>(() => Send(master, 1));
        Assert.Equal(NetmapError.Corrupted, sent.Error);

        // The other pipe of the same region goes on.
        Send(master2, 100);
        Assert.Equal(100, ReceiveAll(slave2));
    }

    [Fact]
    public void ARingHeaderWithGarbageGeometryIsNotBelieved()
    {
        string name = Unique("tg");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var slave = NetmapPort.Open($"netmap:{name}}}1");
        using var intruder = new Intruder(master);

        foreach (var (port, tx) in new[] { (0u, true), (0u, false), (1u, true), (1u, false) })
        {
            var ring = intruder.Ring(port, tx);
            ring->NumSlots = 0x7fffffff;
            ring->BufferSize = 0x10000000;
            ring->BufferOffset = -0x100000000L;
        }
        // Slot counts, buffer sizes and the pool come from what was read at open: traffic is unharmed.
        for (int round = 0; round < 5; round++)
        {
            Send(master, 300);
            Assert.Equal(300, ReceiveAll(slave));
        }
    }

    [Fact]
    public void TruncatingOrOverwritingTheRegionFileCostsOnlyItsName()
    {
        // The memory is a System V segment the file only names: truncated to nothing (once a SIGBUS in
        // every holder at its next touch) or filled with garbage, the file takes nothing from the open ports.
        string name = Unique("tt");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var slave = NetmapPort.Open($"netmap:{name}}}1");
        File.WriteAllBytes(master.Region, new byte[4096]);   // garbage: no anchor any more
        using (var file = File.Open(master.Region, FileMode.Open)) file.SetLength(0);
        for (int round = 0; round < 5; round++)
        {
            Send(master, 300);
            Assert.Equal(300, ReceiveAll(slave));
        }
        // A new open of the same pipe cannot find the region while its ports are open: a typed error, no crash.
        var e = Assert.Throws<NetmapException>(() => NetmapPort.Open($"netmap:{name}{{2"));
        Assert.Equal(NetmapError.Corrupted, e.Error);
    }

    [Fact]
    public void ADamagedSlotInThePeersRingFailsTheSendersSyncAfterTheFramesBeforeIt()
    {
        string name = Unique("tp");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var slave = NetmapPort.Open($"netmap:{name}}}1");
        using var intruder = new Intruder(master);
        var rxSlots = (Abi.NetmapSlot*)((byte*)intruder.Ring(1, tx: false) + Abi.NetmapRing.HeaderSize);
        rxSlots[3].BufferIndex = 0xffffffff; // a slot the sender will fill next but three, still the producer's

        var t = new PacketTransmitter(master);
        for (int i = 0; i < 10; i++) Assert.True(t.Send(TestFrames.Broadcast(1), 1000));
        AssertBufferIndexOutOfRange(0xffffffffL, () => master.TxSync());
        Assert.Equal(3, ReceiveAll(slave));                   // the frames before the damaged slot went through
        Assert.Throws<NetmapException>(() => master.TxSync()); // and the rest wait, telling the sender each time
    }

    [Fact]
    public void ASlotBufferIndexOutsideTheRegionIsACorruptionNotACrash()
    {
        string name = Unique("tb");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var slave = NetmapPort.Open($"netmap:{name}}}1");
        using var intruder = new Intruder(master);
        Send(master, 3);
        slave.RxSync();
        var rx = slave.RxRing(0);
        rx.Slot(RingMath.Next(rx.Head, rx.Slots))->BufferIndex = 0x7ffff; // the second frame now points far outside

        var got = new List<NetmapPacket>();
        AssertBufferIndexOutOfRange(0x7ffff, () => new PacketReceiver(slave).ReceiveAll(got, 16, 100));
    }

    [Theory]
    [InlineData(true)]   // one parent: buffers swapped
    [InlineData(false)]  // two parents: frames copied
    public void AForwarderStopsAtABufferIndexOutsideTheRegionHavingMovedTheFramesBeforeIt(bool oneRegion)
    {
        string name = Unique("tf"), other = oneRegion ? name : Unique("tg");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var from = NetmapPort.Open($"netmap:{name}}}1");
        using var to = NetmapPort.Open($"netmap:{other}{{2");
        using var sink = NetmapPort.Open($"netmap:{other}}}2");
        Send(master, 3);
        from.RxSync();
        var rx = from.RxRing(0);
        rx.Slot(RingMath.Next(rx.Head, rx.Slots))->BufferIndex = 0x7ffff; // the second frame points far outside

        var forwarder = new Forwarder(from, to);
        Assert.Equal(oneRegion, forwarder.ZeroCopy);
        AssertBufferIndexOutOfRange(0x7ffff, () => forwarder.Run(16, 100));
        Assert.Equal(1, forwarder.Forwarded);
    }

    [Fact]
    public void ASendOfOneFrameStopsAtABufferIndexOutsideTheRegionHavingCommittedTheCopiesBeforeIt()
    {
        string name = Unique("tc");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var slave = NetmapPort.Open($"netmap:{name}}}1");
        var tx = master.TxRing(0);
        tx.Slot(RingMath.Next(RingMath.Next(tx.Head, tx.Slots), tx.Slots))->BufferIndex = 0x7ffff; // the third slot points far outside

        var session = new TransmitSession(master, null, new TransmitOptions { TimeoutMs = 1000 });
        AssertBufferIndexOutOfRange(0x7ffff, () => session.Send(TestFrames.Broadcast(1), 10)); // 60 bytes: the run of copies
        Assert.Equal(2, session.Sent);
    }

    [Fact]
    public void ATxKringOutOfRangeFailsTheTxSync()
    {
        string name = Unique("tk");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var slave = NetmapPort.Open($"netmap:{name}}}1");
        using var intruder = new Intruder(master);
        intruder.Kring(0, tx: true)->HwCur = 5_000_000;
        var e = Assert.Throws<NetmapException>(() => master.TxSync());
        Assert.Equal(NetmapError.Corrupted, e.Error);
        Assert.Equal("hwcur", e.Field);
    }

    [Fact]
    public void ASwitchPortWithADamagedRingLosesItsFramesAndTheOthersGoOn()
    {
        string sw = Unique("vale");
        using var a = NetmapPort.Open($"{sw}:a");
        using var b = NetmapPort.Open($"{sw}:b");
        using var c = NetmapPort.Open($"{sw}:c");
        using var intruder = new Intruder(a);
        intruder.Kring(1, tx: false)->HwTail = 0x12345678; // b's RX ring

        Send(a, 50, tag: 1); // broadcast: flooded to b and c
        Assert.Equal(50, ReceiveAll(c));
        Assert.True(b.Dropped >= 50);
        Assert.Equal(NetmapError.Corrupted, Assert.Throws<NetmapException>(() => b.RxSync()).Error);
    }

    [Fact]
    public void AProducerLockHeldByAStuckLiveHolderMakesAnOpenFailNotHang()
    {
        string sw = Unique("vale");
        using var a = NetmapPort.Open($"{sw}:a");
        using var intruder = new Intruder(a);
        // The next port will be port 1; its RX ring lock now names holder 0 (a, alive: this process) as if it were stuck inside.
        intruder.Kring(1, tx: false)->ProducerLock = 1;

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<NetmapException>(() => NetmapPort.Open($"{sw}:b"));
        Assert.Equal(NetmapError.Busy, e.Error);
        Assert.InRange(clock.ElapsedMilliseconds, 1000, 10_000);

        // Ctrl+C ends the same wait within a few milliseconds.
        using var cancel = new CancellationTokenSource();
        var canceller = new Thread(() => { Thread.Sleep(100); cancel.Cancel(); }); // not a timer: the thread pool may be busy
        clock.Restart();
        canceller.Start();
        Assert.ThrowsAny<OperationCanceledException>(() => NetmapPort.Open($"{sw}:b", cancel: cancel.Token));
        Assert.InRange(clock.ElapsedMilliseconds, 50, 1000);
        canceller.Join();

        // Delivery into a ring whose lock stays held drops (and counts) instead of spinning forever.
        intruder.Kring(1, tx: false)->ProducerLock = 0;
        using var b = NetmapPort.Open($"{sw}:b");
        intruder.Kring(1, tx: false)->ProducerLock = 1;
        Send(a, 3, tag: 1);
        Assert.Equal(3L, b.Dropped);
    }

    [Fact]
    public void AProducerLockHoldingAPidOrGarbageIsTakenOver()
    {
        string sw = Unique("vale");
        using var a = NetmapPort.Open($"{sw}:a");
        using var intruder = new Intruder(a);
        intruder.Kring(1, tx: false)->ProducerLock = Environment.ProcessId; // the old format: a live pid, no holder
        using var b = NetmapPort.Open($"{sw}:b");
        Send(a, 10, tag: 1);
        Assert.Equal(10, ReceiveAll(b));
    }

    [Fact]
    [Trait("Category", "Fuzz")]
    public void RandomBytesAnywhereInTheRegionGiveTypedErrorsOnly()
    {
        int rounds = 60 * Fuzz.Scale;
        var random = new Random(1405);
        for (int round = 0; round < rounds; round++)
        {
            string name = Unique("tr");
            using var master = NetmapPort.Open($"netmap:{name}{{1@conf:slots=64"); // a small region: the damage lands in rings and slots more often
            using var slave = NetmapPort.Open($"netmap:{name}}}1");
            using var intruder = new Intruder(master);
            for (int step = 0; step < 6; step++)
            {
                // Scribble 64 random bytes somewhere after the header, then use both ends.
                long at = random.NextInt64(128, intruder.Size - 64);
                random.NextBytes(new Span<byte>(intruder.Base + at, 64));
                TypedOrFine(() => Send(master, 20));
                TypedOrFine(() => ReceiveAll(slave, 10));
                TypedOrFine(() => master.GetRings());
                TypedOrFine(() => slave.GetSlots(RingDirection.RX, RingKind.NIC, 0).ToList());
            }
        }
    }

    private static void TypedOrFine(Action action)
    {
        try
        {
            action();
        }
        catch (NetmapException)
        {
        }
        catch (Xunit.Sdk.XunitException)
        {
            // Send's own assertion (a frame not taken in time) is fine here: the ring may be damaged.
        }
    }

    [Fact]
    public void ASecondLoopOnARingIsRefusedNamingTheFirst()
    {
        string name = Unique("tl");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var first = master.Use(master.RxRings, default, "a receive loop");
        var e = Assert.Throws<NetmapException>(() => master.Use(master.RxRings, default, "another receive loop"));
        Assert.Equal(NetmapError.Busy, e.Error);
        Assert.Contains("a receive loop", e.Message);
        using var sender = master.Use(default, master.TxRings, "a send loop"); // the TX ring is free
        first.Dispose();
        using var again = master.Use(master.RxRings, default, "another receive loop");
    }

    [Fact]
    public void APortCannotBeForwardedToItself()
    {
        using var port = NetmapPort.Open($"netmap:{Unique("tf")}{{1");
        var e = Assert.Throws<NetmapException>(() => new Forwarder(port, port));
        Assert.Equal(NetmapError.InvalidRequest, e.Error);
    }

    [Fact]
    public void APacedWaitEndsSoonAfterCancel()
    {
        var pacer = new Pacer(0.02); // one frame every 50 s
        pacer.Next();
        using var cancel = new CancellationTokenSource();
        // Cancelled by a thread of its own: a timer's callback can wait for the thread pool, busy with the other tests.
        var canceller = new Thread(() => { Thread.Sleep(100); cancel.Cancel(); });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        canceller.Start();
        pacer.Next(cancel.Token);
        canceller.Join();
        Assert.InRange(clock.ElapsedMilliseconds, 50, 1000);
        new Pacer(1e-300).Next(); // the first frame goes at once, whatever the rate
    }

    [Fact]
    public void HugeAndNegativeTimeoutsNeverEndInThePast()
    {
        Assert.Equal(Deadline.Never, Deadline.After(1e300));
        Assert.Equal(Deadline.Never, Deadline.After(1e16));
        Assert.Equal(Deadline.Never, Deadline.After(-1));
        Assert.InRange(Deadline.After(1) - Environment.TickCount64, 900, 1000);
    }
}
