using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>pkt-gen's ping over emulated pipes: probes come back and are timed, other frames are passed over, silence is loss.</summary>
[Collection("shm")]
public class LatencyProbeTests
{
    private static readonly byte[] Probe = PacketBuilder.Build(new PacketRecipe { DestinationPort = 7, Length = 64 });
    private static string NewName() => $"lp{Guid.NewGuid():N}"[..10];

    [Fact]
    public void TimesEveryProbeThatComesBack()
    {
        string name = NewName();
        using var a = NetmapPort.Open($"netmap:{name}{{1", PortMode.Emulated);
        using var b = NetmapPort.Open($"netmap:{name}}}1", PortMode.Emulated);
        var report = new LatencyProbe(a, b, Probe).Run(200, 1000);
        Assert.Equal((200, 200, 0), (report.Sent, report.Received, report.Lost));
        Assert.True(report.Minimum > 0 && report.Minimum <= report.Median && report.Median <= report.Percentile99 && report.Percentile99 <= report.Maximum);
        Assert.InRange(report.Mean, report.Minimum, report.Maximum);
    }

    [Fact]
    public void TimesTheRoundTripThroughAForwarderAndPassesOverOtherFrames()
    {
        string there = NewName(), back = NewName();
        using var a = NetmapPort.Open($"netmap:{there}{{1", PortMode.Emulated);
        using var echoIn = NetmapPort.Open($"netmap:{there}}}1", PortMode.Emulated);
        using var echoOut = NetmapPort.Open($"netmap:{back}{{1", PortMode.Emulated);
        using var b = NetmapPort.Open($"netmap:{back}}}1", PortMode.Emulated);
        // frames that are not probes, waiting on the way back before the first probe
        var noise = new PacketTransmitter(echoOut);
        for (int i = 0; i < 50; i++) noise.Send(PacketBuilder.Build(new PacketRecipe { DestinationPort = 9, Length = 80 }), 100);
        echoOut.TxSync();
        using var stop = new CancellationTokenSource();
        var forwarder = new Forwarder(echoIn, echoOut);
        var echo = Task.Run(() => { while (!stop.IsCancellationRequested) forwarder.Run(long.MaxValue, 10, stop.Token); });
        try
        {
            var report = new LatencyProbe(a, b, Probe).Run(100, 2000);
            Assert.Equal((100, 100, 0), (report.Sent, report.Received, report.Lost));
            Assert.True(report.Minimum <= report.Median && report.Maximum < 2_000_000);
        }
        finally
        {
            stop.Cancel();
            echo.Wait();
        }
    }

    [Fact]
    public void CountsWhatNeverComesBackAsLost()
    {
        string name = NewName(), silent = NewName();
        using var a = NetmapPort.Open($"netmap:{name}{{1", PortMode.Emulated);
        using var sink = NetmapPort.Open($"netmap:{name}}}1", PortMode.Emulated);
        using var quiet = NetmapPort.Open($"netmap:{silent}}}1", PortMode.Emulated);
        var report = new LatencyProbe(a, quiet, Probe).Run(3, 50);
        Assert.Equal((3, 0, 3), (report.Sent, report.Received, report.Lost));
        Assert.True(double.IsNaN(report.Median));
    }

    [Fact]
    public void RefusesAFrameWithoutRoomForTheStamp()
    {
        string name = NewName();
        using var a = NetmapPort.Open($"netmap:{name}{{1", PortMode.Emulated);
        var e = Assert.Throws<NetmapException>(() => new LatencyProbe(a, a, new byte[50]));
        Assert.Equal(NetmapRemedy.LengthenFrames, e.Remedy);
    }
}
