using BenchmarkDotNet.Attributes;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace Netmap.Micro;

/// <summary>
/// The ring walks over an emulated pipe, on one thread: PacketTransmitter puts 512 frames of 60 bytes
/// in the master's TX ring and flushes (txsync hands them over), then TrafficMeter walks the slave's
/// RX ring, counts them and gives the slots back (rxsync). One operation is one frame, sent and counted.
/// </summary>
[MemoryDiagnoser]
public class RingWalkBenchmarks
{
    private const int Batch = 512;
    private NetmapPort _tx = null!, _rx = null!;
    private PacketTransmitter _sender = null!;
    private TrafficMeter _meter = null!;
    private byte[] _frame = null!;

    [GlobalSetup]
    public void Setup()
    {
        string name = "bm" + Guid.NewGuid().ToString("N")[..8];
        _tx = NetmapPort.Open($"netmap:{name}{{1", PortMode.Emulated);
        _rx = NetmapPort.Open($"netmap:{name}}}1", PortMode.Emulated);
        _sender = new PacketTransmitter(_tx);
        _meter = new TrafficMeter(_rx);
        _frame = PacketBuilder.Build(new PacketRecipe { Length = 60 });
        if (_tx.TxSlots <= Batch) throw new InvalidOperationException($"the pipe has {_tx.TxSlots} slots, fewer than a batch");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rx.Dispose();
        _tx.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "PacketTransmitter + TrafficMeter, pipe")]
    public long SendAndCount()
    {
        for (int i = 0; i < Batch; i++) _sender.Send(_frame, 1000);
        _sender.Flush(1000);
        long counted = 0;
        while (counted < Batch) counted += _meter.Poll(1000);
        _meter.Release(); // the next batch is sent into these slots
        return counted;
    }
}
