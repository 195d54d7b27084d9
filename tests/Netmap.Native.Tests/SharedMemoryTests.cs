using System.Buffers.Binary;
using Netmap.Native.Abi;
using Netmap.Native.Emulated;
using Netmap.Native.Packets;
using Netmap.Native.PortNames;
using Netmap.Native.Ports;
using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>Region files of these tests go to a directory of their own, removed at the end.</summary>
public sealed class ShmDirectory : IDisposable
{
    public ShmDirectory()
    {
        Path = System.IO.Path.Combine("/dev/shm", $"netmapps-unit-{Environment.ProcessId}");
        Directory.CreateDirectory(Path);
        Environment.SetEnvironmentVariable("NETMAPPS_SHM_DIR", Path);
    }

    public string Path { get; }

    /// <summary>The region files in the user's private directory under <see cref="Path"/>.</summary>
    public string[] Files() => Directory.Exists(Emulated.SharedMemoryBackend.UserDirectory) ? Directory.GetFiles(Emulated.SharedMemoryBackend.UserDirectory) : [];

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

[CollectionDefinition("shm")]
public sealed class ShmCollection : ICollectionFixture<ShmDirectory> { }

[Collection("shm")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public unsafe class SharedMemoryTests(ShmDirectory shm)
{
    private static string Unique(string stem) => $"{stem}{Guid.NewGuid():N}"[..11]; // "vale" + 11 fits IFNAMSIZ

    private static byte[] Frame(ulong dst, ulong src, int sequence, int length = 64)
    {
        var frame = new byte[length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)(dst >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(2), (uint)dst);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(6), (ushort)(src >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), (uint)src);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x88b5);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(14), sequence);
        for (int i = 18; i < length; i++) frame[i] = (byte)(sequence + i);
        return frame;
    }

    private static List<NetmapPacket> ReceiveAll(NetmapPort port, int timeoutMs = 200)
    {
        var got = new List<NetmapPacket>();
        var receiver = new PacketReceiver(port);
        while (receiver.ReceiveAll(got, 1024, timeoutMs) > 0) { }
        return got;
    }

    [Fact]
    public void PipeCarriesFramesInOrderAcrossWrapAround()
    {
        string name = Unique("p");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var slave = NetmapPort.Open($"netmap:{name}}}1");
        var tx = new PacketTransmitter(master);
        var rx = new PacketReceiver(slave);
        var got = new List<NetmapPacket>();
        for (int i = 0; i < 5000; i++)
        {
            Assert.True(tx.Send(Frame(1, 2, i, 60 + i % 1400), 1000));
            if (i % 700 == 699) { tx.Flush(1000); rx.ReceiveAll(got, 10000, 0); }
        }
        Assert.True(tx.Flush(1000));
        while (rx.ReceiveAll(got, 10000, 100) > 0) { }
        Assert.Equal(5000, got.Count);
        for (int i = 0; i < got.Count; i++) Assert.Equal(Frame(1, 2, i, 60 + i % 1400), got[i].Data);
        Assert.Equal(PortMode.Emulated, master.Mode);
        Assert.Equal(master.MemoryId, slave.MemoryId);
    }

    [Fact]
    public void FramesNotReleasedAreReadAgain()
    {
        string name = Unique("p");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var slave = NetmapPort.Open($"netmap:{name}}}1");
        var tx = new PacketTransmitter(master);
        for (int i = 0; i < 5; i++) tx.Send(Frame(1, 2, i), 100);
        tx.Flush(100);
        var rx = new PacketReceiver(slave);
        var first = new List<NetmapPacket>();
        Assert.Equal(5, rx.Receive(first, 100, 100));
        rx.Release(2);
        var second = new List<NetmapPacket>();
        Assert.Equal(3, rx.ReceiveAll(second, 100, 100));
        Assert.Equal(Frame(1, 2, 2), second[0].Data);
        Assert.Equal(5, rx.Received);
    }

    [Fact]
    public void PipeSwapsBuffersAndMarksThem()
    {
        string name = Unique("p");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var slave = NetmapPort.Open($"netmap:{name}}}1");
        var txRing = master.TxRing(0).Header;
        uint sentBuffer = NetmapRing.Slot(txRing, 0)->BufferIndex;
        Assert.True(new PacketTransmitter(master).Send(Frame(1, 2, 7), 0));
        master.TxSync();
        slave.RxSync();
        var rxSlot = NetmapRing.Slot(slave.RxRing(0).Header, 0);
        Assert.Equal(sentBuffer, rxSlot->BufferIndex);
        Assert.True(rxSlot->Flags.HasFlag(SlotFlags.BufferChanged));
        Assert.NotEqual(sentBuffer, NetmapRing.Slot(txRing, 0)->BufferIndex);
    }

    [Fact]
    public void FullPipeKeepsPacketsPendingUntilTheReceiverReleasesSlots()
    {
        string name = Unique("p");
        using var master = NetmapPort.Open($"netmap:{name}{{1@conf:slots=64");
        using var slave = NetmapPort.Open($"netmap:{name}}}1");
        var tx = new PacketTransmitter(master);
        int sent = 0;
        while (tx.Send(Frame(1, 2, sent), 50)) sent++;
        Assert.Equal(63 + 63, sent); // 63 in the peer's RX ring, 63 pending in our TX ring
        Assert.False(tx.Flush(50));
        var got = ReceiveAll(slave);
        Assert.True(tx.Flush(1000));
        got.AddRange(ReceiveAll(slave));
        Assert.Equal(sent, got.Count);
    }

    [Fact]
    public void WaitWakesWhenAnotherThreadSends()
    {
        string name = Unique("p");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        using var slave = NetmapPort.Open($"netmap:{name}}}1");
        var sender = Task.Run(() =>
        {
            Thread.Sleep(200);
            var tx = new PacketTransmitter(master);
            tx.Send(Frame(1, 2, 1), 1000);
            tx.Flush(1000);
        });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(slave.Wait(WaitDirection.Receive, 5000));
        Assert.InRange(watch.ElapsedMilliseconds, 150, 4000);
        sender.Wait();
        Assert.Single(ReceiveAll(slave, 0));
        Assert.False(slave.Wait(WaitDirection.Receive, 50)); // nothing more: the wait times out
    }

    [Fact]
    public void ValeSwitchFloodsBroadcastAndForwardsLearnedUnicast()
    {
        string sw = "vale" + Unique("t");
        using var a = NetmapPort.Open($"{sw}:a");
        using var b = NetmapPort.Open($"{sw}:b");
        using var c = NetmapPort.Open($"{sw}:c");
        const ulong macA = 0x02000000000A, macB = 0x02000000000B, broadcast = 0xFFFFFFFFFFFF;
        void Send(NetmapPort p, byte[] f) { var t = new PacketTransmitter(p); t.Send(f, 100); t.Flush(100); }

        Send(a, Frame(broadcast, macA, 1));
        Assert.Single(ReceiveAll(b, 50));
        Assert.Single(ReceiveAll(c, 50));
        Assert.Empty(ReceiveAll(a, 50)); // never back to the sender

        Send(b, Frame(macA, macB, 2)); // a was learned: unicast to a only
        Assert.Equal(Frame(macA, macB, 2), Assert.Single(ReceiveAll(a, 50)).Data);
        Assert.Empty(ReceiveAll(c, 50));

        Send(c, Frame(0x02000000FFFF, 0x02000000000C, 3)); // unknown destination: flood
        Assert.Single(ReceiveAll(a, 50));
        Assert.Single(ReceiveAll(b, 50));
    }

    [Fact]
    public void ValeKeepsRingOrderWhenABatchMixesUnicastAndFlood()
    {
        // One sync delivers per destination port: its unicast frames and the flooded ones, merged back in ring order.
        string sw = "vale" + Unique("o");
        using var a = NetmapPort.Open($"{sw}:a");
        using var b = NetmapPort.Open($"{sw}:b");
        using var c = NetmapPort.Open($"{sw}:c");
        const ulong macA = 0x02000000000A, macB = 0x02000000000B, macC = 0x02000000000C, broadcast = 0xFFFFFFFFFFFF;
        foreach (var (port, mac) in new[] { (b, macB), (c, macC) })
        {
            var hello = new PacketTransmitter(port);
            hello.Send(Frame(broadcast, mac, 0), 100);
            hello.Flush(100);
        }
        ReceiveAll(a, 50); ReceiveAll(b, 50); ReceiveAll(c, 50);
        var tx = new PacketTransmitter(a);
        var sent = new List<byte[]>();
        var random = new Random(17);
        for (int i = 1; i <= 500; i++)
        {
            var f = Frame(random.Next(3) switch { 0 => macB, 1 => macC, _ => broadcast }, macA, i);
            sent.Add(f);
            Assert.True(tx.Send(f, 100));
        }
        Assert.True(tx.Flush(100));
        foreach (var (port, mac) in new[] { (b, macB), (c, macC) })
        {
            var expected = sent.Where(f => (f[0] & 1) != 0 || f.AsSpan(0, 6).SequenceEqual(Frame(mac, 0, 0).AsSpan(0, 6))).ToList();
            var got = ReceiveAll(port, 50).Select(p => p.Data).ToList();
            Assert.Equal(expected.Count, got.Count);
            for (int i = 0; i < got.Count; i++) Assert.Equal(expected[i], got[i]);
        }
    }

    [Fact]
    public void ValeDropsAndCountsWhenAReceiverIsFull()
    {
        string sw = "vale" + Unique("d");
        using var a = NetmapPort.Open($"{sw}:a@conf:slots=16");
        using var b = NetmapPort.Open($"{sw}:b");
        var tx = new PacketTransmitter(a);
        for (int i = 0; i < 40; i++) Assert.True(tx.Send(Frame(0xFFFFFFFFFFFF, 0x020000000001, i), 100));
        Assert.True(tx.Flush(100));
        Assert.Equal(15, ReceiveAll(b, 50).Count);
        Assert.Equal(25L, b.Dropped);
    }

    [Fact]
    public void RingsAreHeldByOnePortAtATime()
    {
        string name = Unique("p");
        using var first = NetmapPort.Open($"netmap:{name}{{1");
        var e = Assert.Throws<NetmapException>(() => NetmapPort.Open($"netmap:{name}{{1"));
        Assert.Equal(NetmapError.Busy, e.Error);
        Assert.Contains("held by another port opened in this process", e.Message);
        // TX only and RX only halves can be held by two ports.
        using var slaveTx = NetmapPort.Open($"netmap:{name}}}1/T");
        using var slaveRx = NetmapPort.Open($"netmap:{name}}}1/R");
        Assert.Equal(0u, slaveTx.RxRings.Count);
        Assert.Equal(0u, slaveRx.TxRings.Count);
    }

    [Fact]
    public void OneRingPairIsChosenWithDashAndCheckedAgainstTheRange()
    {
        string name = Unique("p");
        using var ring1 = NetmapPort.Open($"netmap:{name}{{1-1@conf:rings=2");
        Assert.Equal(new RingSpan(1, 2), ring1.TxRings);
        Assert.Equal(2u, ring1.TxRingCount);
        var e = Assert.Throws<NetmapException>(() => NetmapPort.Open($"netmap:{name}}}1-2"));
        Assert.Equal(NetmapError.InvalidRequest, e.Error);
        Assert.Contains("out of range", e.Message);
    }

    [Fact]
    public void RegionFileIsRemovedWhenTheLastPortCloses()
    {
        string name = Unique("p");
        string path = System.IO.Path.Combine(SharedMemoryBackend.UserDirectory, $"pipe-{name}");
        var master = NetmapPort.Open($"netmap:{name}{{1");
        var slave = NetmapPort.Open($"netmap:{name}}}1");
        Assert.True(File.Exists(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(SharedMemoryBackend.UserDirectory));
        master.Dispose();
        Assert.True(File.Exists(path));
        slave.Dispose();
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void CorruptedHeadIsDetectedAtTheNextSyncAndTheRingReset()
    {
        string name = Unique("p");
        using var master = NetmapPort.Open($"netmap:{name}{{1");
        var ring = master.TxRing(0).Header;
        ring->Head = 5000;
        var e = Assert.Throws<NetmapException>(() => master.TxSync());
        Assert.Equal(NetmapError.Corrupted, e.Error);
        Assert.Equal(0u, ring->Head);
        master.TxSync(); // usable again
    }

    [Fact]
    public void SoftwarePortsRefuseWhatTheyCannotDo()
    {
        Assert.Equal(NetmapError.InvalidRequest, Assert.Throws<NetmapException>(() => NetmapPort.Open("netmap:x{1^")).Error);
        Assert.Equal(NetmapError.NotFound, Assert.Throws<NetmapException>(() => NetmapPort.Open("vale" + Unique("m") + ":a/r")).Error); // nothing to monitor
        Assert.Throws<PortNameException>(() => NetmapPort.Open("netmap:a:b{1"));
        Assert.Equal(NetmapError.NotFound, Assert.Throws<NetmapException>(() => NetmapPort.Open("netmap:nosuchif0")).Error);
    }

    [Theory]
    [InlineData("../x", null)]
    [InlineData("a/b", null)]
    [InlineData(".hidden", null)]
    [InlineData("x", "vale/../x")]
    [InlineData("x", "vale0123456789abc")]
    public void SoftwarePortsRefuseFileNamesThatLeaveTheRegionDirectory(string port, string? valeSwitch)
    {
        // A spec built by hand skips the parser: the backend still refuses names that are not plain file names.
        var spec = valeSwitch is null
            ? new PortSpec { Name = $"netmap:{port}{{1", Prefix = "netmap", PortName = port, RequestName = port + "{1", Pipe = PipeEnd.Master, PipeId = "1" }
            : new PortSpec { Name = $"{valeSwitch}:{port}", Prefix = valeSwitch, IsVale = true, SwitchName = valeSwitch, PortName = port, RequestName = $"{valeSwitch}:{port}" };

        var e = Assert.Throws<NetmapException>(() => NetmapPort.Open(spec, PortMode.Emulated));

        Assert.Equal(NetmapError.InvalidRequest, e.Error);
        Assert.Contains("cannot name a software port", e.Message);
        string would = valeSwitch is null ? $"pipe-{port}" : $"vale-{valeSwitch}";
        Assert.False(File.Exists(System.IO.Path.Combine(SharedMemoryBackend.UserDirectory, would)));
    }

    [Fact]
    public void ClosingAPortInUseCancelsItsUsersAndUnmapsWhenTheLastLetsGo()
    {
        string name = Unique("p");
        var port = NetmapPort.Open($"netmap:{name}{{1");
        var lease = port.Use();

        port.Dispose();

        Assert.False(port.IsOpen);
        Assert.True(port.Closing.IsCancellationRequested);
        Assert.Equal(NetmapError.Closed, Assert.Throws<NetmapException>(() => port.Use()).Error);
        Assert.True(File.Exists(port.Region)); // still mapped and held for the user
        lease.Dispose();
        Assert.False(File.Exists(port.Region));
        lease.Dispose(); // twice is harmless
    }
}
