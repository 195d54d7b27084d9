using Netmap.Native.Ports;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>Which backend serves a port: -Mode, then NETMAPPS_MODE, then whether /dev/netmap exists.</summary>
public class BackendSelectionTests
{
    [Theory]
    [InlineData(null, null, true, PortMode.Native)]
    [InlineData(null, null, false, PortMode.Emulated)]
    [InlineData(null, "", true, PortMode.Native)]
    [InlineData(null, "auto", false, PortMode.Emulated)]
    [InlineData(null, "Auto", true, PortMode.Native)]
    [InlineData(null, "Emulated", true, PortMode.Emulated)]
    [InlineData(null, "native", false, PortMode.Native)]
    [InlineData(PortMode.Emulated, "Native", true, PortMode.Emulated)]
    [InlineData(PortMode.Native, "Emulated", false, PortMode.Native)]
    public void ModeIsChosenInOrder(PortMode? requested, string? environment, bool kernelPresent, PortMode expected) =>
        Assert.Equal(expected, NetmapBackends.Choose(requested, environment, kernelPresent).Mode);

    [Fact]
    public void ReasonSaysWhy()
    {
        Assert.Equal("/dev/netmap exists", NetmapBackends.Choose(null, null, true).Reason);
        Assert.Equal("/dev/netmap does not exist", NetmapBackends.Choose(null, null, false).Reason);
        Assert.Equal("NETMAPPS_MODE=Emulated", NetmapBackends.Choose(null, "Emulated", true).Reason);
        Assert.Equal("asked for", NetmapBackends.Choose(PortMode.Native, null, false).Reason);
    }

    [Theory]
    [InlineData("kernel")]
    [InlineData("2")]
    public void AnUnknownModeVariableIsAnError(string value)
    {
        var e = Assert.Throws<NetmapException>(() => NetmapBackends.Choose(null, value, false));
        Assert.Equal(NetmapError.InvalidRequest, e.Error);
        Assert.Contains("Native, Emulated or Auto", e.Message);
    }

    [Fact]
    public void NativeWithoutTheModuleSaysHowToGetIt()
    {
        if (NetmapBackends.KernelModulePresent) return; // this machine has the module: the lab tests cover it
        var e = Assert.Throws<NetmapException>(() => NetmapPort.Open("netmap:p{1", PortMode.Native));
        Assert.Equal(NetmapError.NotFound, e.Error);
        Assert.Contains("not loaded", e.Message);
        Assert.Contains("emulated mode", e.Message);
        Assert.Equal(NetmapRemedy.UseEmulatedMode, e.Remedy);
    }
}
