using Netmap.Native.Emulated;
using Netmap.Native.Kernel;
using Netmap.Native.PortNames;
using Netmap.Native.Ports;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>The registry of backends: which one serves which name, in which mode, and what each offers.</summary>
[Collection("shm")] // ports open in the shared directory the collection sets up (NETMAPPS_SHM_DIR is process-wide)
public class BackendRegistryTests
{
    [Theory]
    [InlineData("netmap:p{1", PortMode.Emulated, typeof(SoftwarePortsBackend))]
    [InlineData("netmap:p}3", PortMode.Emulated, typeof(SoftwarePortsBackend))]
    [InlineData("vale0:a", PortMode.Emulated, typeof(SoftwarePortsBackend))]
    [InlineData("vale1:b/r", PortMode.Emulated, typeof(SoftwarePortsBackend))]
    [InlineData("netmap:eth0", PortMode.Emulated, typeof(InterfacePortsBackend))]
    [InlineData("netmap:eth0-1", PortMode.Emulated, typeof(InterfacePortsBackend))]
    [InlineData("netmap:eth0^", PortMode.Emulated, typeof(InterfacePortsBackend))]
    [InlineData("netmap:eth0/r", PortMode.Emulated, typeof(InterfacePortsBackend))]
    [InlineData("netmap:p{1", PortMode.Native, typeof(KernelBackend))]
    [InlineData("vale0:a", PortMode.Native, typeof(KernelBackend))]
    [InlineData("netmap:eth0", PortMode.Native, typeof(KernelBackend))]
    public void EachNameGoesToTheBackendThatServesIt(string name, PortMode mode, Type expected) =>
        Assert.IsType(expected, NetmapBackends.For(PortNameParser.Parse(name), mode));

    [Fact]
    public void EveryModeHasABackendForEveryName()
    {
        foreach (var mode in Enum.GetValues<PortMode>())
            Assert.Contains(NetmapBackends.Registered, b => b.Mode == mode);
        // The last backend of each mode takes whatever the ones before it leave: no name is left unserved.
        var odd = PortNameParser.Parse("netmap:x");
        foreach (var mode in Enum.GetValues<PortMode>()) Assert.NotNull(NetmapBackends.For(odd, mode));
    }

    [Fact]
    public void EachModeAdministersValeOnceAndOnlyTheKernelDescribesUnopenedPorts()
    {
        // vale-ctl in emulated mode is the software ports' (their switches); the interfaces' backend has none.
        Assert.Single(NetmapBackends.OfMode(PortMode.Emulated), b => b.Vale is not null);
        Assert.IsType<SoftwarePortsBackend>(NetmapBackends.OfMode(PortMode.Emulated).Single(b => b.Vale is not null));
        Assert.All(NetmapBackends.OfMode(PortMode.Emulated), b => Assert.Null(b.Describe(PortNameParser.Parse("netmap:p{1"))));
        Assert.NotNull(NetmapBackends.OfMode(PortMode.Native).Single().Vale);
    }

    [Fact]
    public void EmulatedCandidatesListInterfacesAndTheirRings()
    {
        var names = NetmapBackends.OfMode(PortMode.Emulated).SelectMany(b => b.Candidates("netmap:lo")).Select(c => c.Name).ToList();
        Assert.Contains("netmap:lo", names);
        Assert.Contains("netmap:lo-0", names);
        Assert.Contains("netmap:lo^", names);
    }

    [Fact]
    public void SoftwareCandidatesListTheEndsOfAnOpenPipe()
    {
        string name = $"reg{Environment.ProcessId % 100000}x{Random.Shared.Next(1000)}";
        var port = NetmapPort.Open($"netmap:{name}{{1", PortMode.Emulated);
        List<string> Names() => new SoftwarePortsBackend().Candidates("").Select(c => c.Name).ToList();
        Assert.Contains($"netmap:{name}{{1", Names());
        Assert.Contains($"netmap:{name}}}1", Names()); // the pipe exists, so its other end can be opened
        port.Dispose();
        Assert.DoesNotContain($"netmap:{name}{{1", Names());
    }
}
