using Netmap.Native.Emulated;
using Netmap.Native.Ports;
using Netmap.Native.Rings;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>Get-NetmapValeSwitch in emulated mode reads the switch region files without changing them.</summary>
[Collection("shm")]
public class EmulatedValeReaderTests(ShmDirectory shm)
{
    [Fact]
    public void ListsSwitchesPortsAndLearnedAddresses()
    {
        string name = $"vale{Guid.NewGuid():N}"[..14];
        using var a = NetmapPort.Open($"{name}:a", PortMode.Emulated);
        using var b = NetmapPort.Open($"{name}:b", PortMode.Emulated);
        var frame = new byte[60];
        frame.AsSpan(0, 6).Fill(0xff);                                  // broadcast
        new byte[] { 0x02, 0, 0, 0, 0, 0x0a }.CopyTo(frame, 6);          // from 02:00:00:00:00:0a
        var transmitter = new PacketTransmitter(a);
        Assert.True(transmitter.Send(frame, 1000));
        Assert.True(transmitter.Flush(1000));
        string before = Convert.ToHexString(File.ReadAllBytes(shm.Files().Single(f => f.EndsWith($"vale-{name}"))));

        var info = NetmapBackends.Switches(PortMode.Emulated).Single(s => s.Name == name);

        Assert.Equal(PortMode.Emulated, info.Mode);
        Assert.Equal(new[] { "a", "b" }, info.Ports.Select(p => p.Name));
        Assert.All(info.Ports, p => Assert.True(p.InUse));
        var learned = Assert.Single(info.MacTable);
        Assert.Equal(("02:00:00:00:00:0a", "a"), (learned.Mac, learned.Port));
        Assert.Equal(before, Convert.ToHexString(File.ReadAllBytes(info.Region)));   // read-only

        b.Dispose();
        info = NetmapBackends.Switches(PortMode.Emulated).Single(s => s.Name == name);
        Assert.Equal(new[] { "a" }, info.Ports.Select(p => p.Name));                 // a closed port leaves the switch
    }
    [Fact]
    public void ShowsAttachedInterfacesAndTheirProcessAndCarriesDetachRequestsOnlyToThem()
    {
        string name = $"vale{Guid.NewGuid():N}"[..14];
        using var nic = NetmapPort.Open($"{name}:eth7", PortMode.Emulated);
        using var other = NetmapPort.Open($"{name}:q", PortMode.Emulated);
        var nicDriver = (SharedMemoryPort)nic.Driver;
        var otherDriver = (SharedMemoryPort)other.Driver;
        Assert.False(ValeDetachRequest.Send(name, "eth7"));                        // not marked yet: an ordinary port is never asked

        nicDriver.MarkAttached(1);
        var ports = NetmapBackends.Switches(PortMode.Emulated).Single(s => s.Name == name).Ports;

        Assert.Equal("eth7", ports.Single(p => p.Name == "eth7").AttachedInterface);
        Assert.Null(ports.Single(p => p.Name == "q").AttachedInterface);
        Assert.All(ports, p => Assert.Equal(Environment.ProcessId, p.Pid));
        Assert.False(ValeDetachRequest.Send(name, "eth8"));
        Assert.False(nicDriver.DetachRequested);
        Assert.True(ValeDetachRequest.Send(name, "eth7"));
        Assert.True(nicDriver.DetachRequested);
        Assert.False(otherDriver.DetachRequested);
    }
}
