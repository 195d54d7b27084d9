using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Netmap.Native.Filters;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

// Scenarios of the NetmapPS benchmark, each printing one JSON line:
//   pipe N            60-byte frames through an emulated pipe, sender and meter on two threads
//   filter N          PacketFilter.Matches over frames in memory (1 % DNS) and libpcap's bpf_filter on the same buffers
//   receive-filter N  the receive loop with 'udp dst port 53' over a pipe carrying 1 % DNS
//   forward N SIZE    sender -> pipe -> forwarder -> pipe -> meter, zero-copy (one region) and copy (two regions)
//   send-alloc N      bytes PacketTransmitter.Send allocates per packet on its thread (a meter drains the pipe on another)
//   generator N       TransmitSession over a pipe: pkt-gen ranges (source 10.0.0.1-10.0.0.254:1024-2047, destination
//                     10.1.0.0/24, lengths 60-124) against one fixed 60-byte frame, interleaved rounds, and the generator's
//                     bytes allocated per packet on its thread
//   vale N PORTS      60-byte frames from port 0 of an emulated VALE switch to ports 1..PORTS-1 (learned, round-robin), one meter thread
string scenario = args[0];
long n = long.Parse(args[1]);
var result = scenario switch
{
    "pipe" => Pipe(n),
    "filter" => Filter(n),
    "receive-filter" => ReceiveFilter(n),
    "forward" => Forward(n, int.Parse(args[2])),
    "send-alloc" => SendAlloc(n),
    "vale" => Vale(n, int.Parse(args[2])),
    "generator" => Generator(n),
    _ => throw new ArgumentException($"unknown scenario {scenario}"),
};
Console.WriteLine(JsonSerializer.Serialize(result));

static string Unique(string stem) => stem + Guid.NewGuid().ToString("N")[..8];

static byte[] Frame(int length, ushort port) => PacketBuilder.Build(new PacketRecipe { DestinationPort = port, Length = length });

static Dictionary<string, object> Pipe(long n)
{
    string name = Unique("bp");
    using var tx = NetmapPort.Open($"netmap:{name}{{1");
    using var rx = NetmapPort.Open($"netmap:{name}}}1");
    var frame = Frame(60, 9);
    var meter = new TrafficMeter(rx);
    double Round(long count)
    {
        long before = meter.Packets;
        var clock = Stopwatch.StartNew();
        var sender = Task.Run(() =>
        {
            var t = new PacketTransmitter(tx);
            for (long i = 0; i < count; i++) t.Send(frame, -1);
            t.Flush(-1);
        });
        while (meter.Packets - before < count) meter.Poll(100);
        sender.Wait();
        return clock.Elapsed.TotalSeconds;
    }
    Round(Math.Min(n, 2_000_000)); // untimed: the JIT tiers the loops up (the C reference is compiled ahead)
    double s = Round(n);
    return new() { ["scenario"] = "pipe", ["packets"] = n, ["seconds"] = s, ["pps"] = n / s };
}

static Dictionary<string, object> Generator(long n)
{
    string name = Unique("bg");
    using var tx = NetmapPort.Open($"netmap:{name}{{1");
    using var rx = NetmapPort.Open($"netmap:{name}}}1");
    var frame = Frame(60, 9);
    var variation = new FrameVariation
    {
        SourceAddress = ValueSet.Ipv4(["10.0.0.1-10.0.0.254"], "source"), SourcePort = ValueSet.Numbers(["1024-2047"], "port", 0, 65535),
        DestinationAddress = ValueSet.Ipv4(["10.1.0.0/24"], "destination"), Length = ValueSet.Numbers(["60-124"], "length", 0, 65535),
    };
    var meter = new TrafficMeter(rx);
    var session = new TransmitSession(tx, null, new TransmitOptions());
    var generator = new FrameGenerator(frame, variation);
    (double Seconds, long Allocated) Round(long count, bool ranges)
    {
        long before = meter.Packets;
        var clock = Stopwatch.StartNew();
        var sender = Task.Factory.StartNew(() =>
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            if (ranges) session.Send(generator, count); else session.Send(frame, count);
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            session.Flush(-1);
            return allocated;
        }, TaskCreationOptions.LongRunning);
        while (meter.Packets - before < count) meter.Poll(100);
        return (clock.Elapsed.TotalSeconds, sender.Result);
    }
    Round(Math.Min(n, 2_000_000), true); // untimed: the JIT tiers the loops up
    Round(Math.Min(n, 2_000_000), false);
    var fixedRound = Round(n, false);
    var rangesRound = Round(n, true);
    return new()
    {
        ["scenario"] = "generator", ["packets"] = n, ["fixedPps"] = n / fixedRound.Seconds, ["generatorPps"] = n / rangesRound.Seconds,
        ["bytesPerPacket"] = (double)rangesRound.Allocated / n,
    };
}

static Dictionary<string, object> Vale(long n, int ports)
{
    string sw = "vale" + Guid.NewGuid().ToString("N")[..8];
    var port = Enumerable.Range(0, ports).Select(p => NetmapPort.Open($"{sw}:p{p}")).ToArray();
    try
    {
        byte[] FrameTo(int to, int from)
        {
            var f = new byte[60];
            f[0] = 2; f[5] = (byte)to;            // 02:00:00:00:00:to
            f[6] = 2; f[11] = (byte)(0xa0 + from); // 02:00:00:00:00:a0+from
            f[12] = 0x88; f[13] = 0xb5;
            return f;
        }
        // Each receiver says who it is first, so that the switch knows where its MAC is; the meters drop that frame.
        for (int p = 1; p < ports; p++)
        {
            var hello = FrameTo(0xff, 0); hello[6] = 2; hello[11] = (byte)p; hello[0] = 0xff; // broadcast from 02:00:00:00:00:p
            var t = new PacketTransmitter(port[p]);
            t.Send(hello, 1000);
            t.Flush(1000);
        }
        var meters = port.Skip(1).Select(p => new TrafficMeter(p)).ToArray();
        foreach (var p in port) p.RxSync();
        foreach (var m in meters) m.Poll(0);
        long dropsBefore = port.Skip(1).Sum(p => p.Dropped ?? 0); // emulated VALE ports count their drops
        var frames = Enumerable.Range(1, ports - 1).Select(to => FrameTo(to, 0)).ToArray();
        var clock = Stopwatch.StartNew();
        long settled = 0; // frames counted or dropped, as the meter thread last saw
        const int Window = 512;  // per receiving port, as in bench/c/vale_reference.c: switching is measured, not dropping
        var sender = Task.Run(() =>
        {
            var t = new PacketTransmitter(port[0]);
            for (long i = 0; i < n; i++)
            {
                if ((i & 63) == 0)
                {
                    port[0].TxSync(); // a txsync every 64 frames, as the C reference
                    while (i - Volatile.Read(ref settled) > (long)Window * (ports - 1)) Thread.Yield();
                }
                t.Send(frames[i % frames.Length], -1);
            }
            t.Flush(-1);
        });
        long Dropped() => port.Skip(1).Sum(p => p.Dropped ?? 0) - dropsBefore;
        long delivered = 0, dropped = 0;
        for (long round = 0; ; round++)
        {
            foreach (var m in meters) delivered += m.Poll(0);
            if ((round & 255) == 0 || sender.IsCompleted) dropped = Dropped(); // the switch's drop counters, now and then
            Volatile.Write(ref settled, delivered + dropped);
            if (sender.IsCompleted && delivered + dropped >= n) break;
        }
        double s = clock.Elapsed.TotalSeconds;
        return new() { ["scenario"] = "vale", ["ports"] = ports, ["packets"] = n, ["delivered"] = delivered, ["dropped"] = dropped,
            ["seconds"] = s, ["pps"] = delivered / s, ["switchedPps"] = (delivered + dropped) / s };
    }
    finally
    {
        foreach (var p in port) p.Dispose();
    }
}

static unsafe Dictionary<string, object> Filter(long n)
{
    var frames = Enumerable.Range(0, 1000).Select(i => Frame(60 + i % 200, (ushort)(i % 100 == 0 ? 53 : 1000 + i))).ToArray();
    var filter = PacketFilter.Compile("udp dst port 53");
    long matched = 0;
    for (int i = 0; i < 100_000; i++) matched += filter.Matches(frames[i % 1000]) ? 1 : 0; // warm up the IL
    long allocated = GC.GetAllocatedBytesForCurrentThread();
    var clock = Stopwatch.StartNew();
    matched = 0;
    for (long i = 0; i < n; i++) matched += filter.Matches(frames[i % 1000]) ? 1 : 0;
    double ours = clock.Elapsed.TotalSeconds;
    long bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;

    // libpcap's own interpreter over the same buffers.
    var program = filter.Program.Select(i => new PcapInsn { Code = i.Code, Jt = i.JumpTrue, Jf = i.JumpFalse, K = i.K }).ToArray();
    var pinned = frames.Select(f => GCHandle.Alloc(f, GCHandleType.Pinned)).ToArray();
    long theirsMatched = 0;
    clock.Restart();
    fixed (PcapInsn* p = program)
        for (long i = 0; i < n; i++)
        {
            var f = frames[i % 1000];
            theirsMatched += LibPcapBench.bpf_filter(p, (byte*)pinned[i % 1000].AddrOfPinnedObject(), (uint)f.Length, (uint)f.Length) != 0 ? 1 : 0;
        }
    double theirs = clock.Elapsed.TotalSeconds;
    foreach (var h in pinned) h.Free();
    return new() { ["scenario"] = "filter", ["packets"] = n, ["matched"] = matched, ["libpcapMatched"] = theirsMatched,
        ["pps"] = n / ours, ["libpcapPps"] = n / theirs, ["bytesPerPacket"] = (double)bytes / n };
}

static Dictionary<string, object> ReceiveFilter(long n)
{
    string name = Unique("bf");
    using var tx = NetmapPort.Open($"netmap:{name}{{1");
    using var rx = NetmapPort.Open($"netmap:{name}}}1");
    var frames = Enumerable.Range(0, 100).Select(i => Frame(60, (ushort)(i == 0 ? 53 : 1000 + i))).ToArray();
    var receiver = new PacketReceiver(rx, filter: PacketFilter.Compile("udp dst port 53"));
    var sender = Task.Run(() =>
    {
        var t = new PacketTransmitter(tx);
        for (long i = 0; i < n; i++) t.Send(frames[i % 100], -1);
        t.Flush(-1);
    });
    var batch = new List<NetmapPacket>(256);
    long allocated = GC.GetAllocatedBytesForCurrentThread(), matched = 0;
    var clock = Stopwatch.StartNew();
    while (receiver.Seen < n)
    {
        batch.Clear();
        matched += receiver.Receive(batch, 256, 100);
        receiver.Release(batch.Count);
    }
    double s = clock.Elapsed.TotalSeconds;
    long bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
    sender.Wait();
    return new() { ["scenario"] = "receive-filter", ["packets"] = receiver.Seen, ["matched"] = matched, ["pps"] = receiver.Seen / s,
        ["bytesPerScanned"] = (double)bytes / receiver.Seen, ["bytesPerMatch"] = matched > 0 ? (double)bytes / matched : 0 };
}

static Dictionary<string, object> Forward(long n, int size)
{
    var result = new Dictionary<string, object> { ["scenario"] = "forward", ["size"] = size, ["packets"] = n };
    // A short round of each first, so that the measured rounds run optimised code; then the best of two.
    foreach (var (zero, count) in new[] { (true, n / 10), (false, n / 10), (true, n), (false, n), (true, n), (false, n) })
    {
        double pps = ForwardRound(count, size, zero);
        string key = zero ? "zeroCopyPps" : "copyPps";
        if (count == n) result[key] = Math.Max(result.TryGetValue(key, out var best) ? (double)best : 0, pps);
    }
    return result;
}

/// <summary>
/// One thread, timing only the forwarder: fill the input pipe with a ring's worth of frames (not
/// timed), forward them and hand them on with txsync (timed), drain the output (not timed), repeat.
/// </summary>
static double ForwardRound(long n, int size, bool zero)
{
    string a = Unique("fa"), b = zero ? a : Unique("fb");
    using var inTx = NetmapPort.Open($"netmap:{a}{{1");
    using var inRx = NetmapPort.Open($"netmap:{a}}}1");
    using var outTx = NetmapPort.Open($"netmap:{b}{{2");
    using var outRx = NetmapPort.Open($"netmap:{b}}}2");
    var forwarder = new Forwarder(inRx, outTx);
    if (forwarder.ZeroCopy != zero) throw new InvalidOperationException("the forwarder did not take the expected path");
    var frame = Frame(size, 9);
    var sender = new PacketTransmitter(inTx);
    var meter = new TrafficMeter(outRx);
    var timed = new Stopwatch();
    for (long done = 0; done < n;)
    {
        long round = Math.Min(1000, n - done);
        for (long i = 0; i < round; i++) sender.Send(frame, -1);
        sender.Flush(-1);
        inRx.RxSync();
        timed.Start();
        long moved = 0;
        while (moved < round) moved += forwarder.Run(round - moved, 0);
        forwarder.Flush(1000);
        timed.Stop();
        while (meter.Packets < done + round) meter.Poll(100);
        meter.Release(); // single-threaded: the next round forwards into these slots
        done += round;
    }
    return n / timed.Elapsed.TotalSeconds;
}

static Dictionary<string, object> SendAlloc(long n)
{
    string name = Unique("ba");
    using var tx = NetmapPort.Open($"netmap:{name}{{1");
    using var rx = NetmapPort.Open($"netmap:{name}}}1");
    var frame = Frame(60, 9);
    var meter = new TrafficMeter(rx);
    long warm = Math.Max(100_000, n / 10);
    var drain = Task.Run(() => { while (meter.Packets < warm + n) meter.Poll(100); });
    var t = new PacketTransmitter(tx);
    for (long i = 0; i < warm; i++) t.Send(frame, -1);   // warm-up: the measured loop runs optimised code
    long allocated = GC.GetAllocatedBytesForCurrentThread();
    for (long i = 0; i < n; i++) t.Send(frame, -1);
    long bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
    t.Flush(-1);
    drain.Wait();
    return new() { ["scenario"] = "send-alloc", ["packets"] = n, ["bytes"] = bytes, ["bytesPerPacket"] = (double)bytes / n };
}

[StructLayout(LayoutKind.Sequential)]
struct PcapInsn { public ushort Code; public byte Jt; public byte Jf; public uint K; }

static unsafe partial class LibPcapBench
{
    [LibraryImport("libpcap.so.0.8")]
    public static partial uint bpf_filter(PcapInsn* program, byte* packet, uint wireLength, uint capturedLength);
}
