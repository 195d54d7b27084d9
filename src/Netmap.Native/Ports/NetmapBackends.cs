using Netmap.Native.Emulated;
using Netmap.Native.Interop;
using Netmap.Native.PortNames;

namespace Netmap.Native.Ports;

/// <summary>Chooses the backend that serves a port.</summary>
public static class NetmapBackends
{
    /// <summary>The netmap control device of the kernel module.</summary>
    public const string KernelDevice = "/dev/netmap";

    /// <summary>True when the netmap kernel module is loaded here.</summary>
    public static bool KernelModulePresent => File.Exists(KernelDevice);

    /// <summary>
    /// Opens a port with <paramref name="mode"/>, or with the default: NETMAPPS_MODE when set, else
    /// Emulated (the kernel backend is not there yet).
    /// </summary>
    public static IPortDriver Open(PortSpec spec, PortMode? mode = null, bool disableOffloads = false)
    {
        mode ??= DefaultMode;
        if (mode == PortMode.Native)
            throw new NetmapException(NetmapError.NotSupported,
                $"'{spec.Name}': the kernel backend ({KernelDevice}) is not implemented yet; open the port in Emulated mode.");
        if (SharedMemoryBackend.Serves(spec)) return SharedMemoryBackend.Open(spec);
        var nic = NetInterface.Find(spec.PortName) ?? throw new NetmapException(NetmapError.NotFound,
            $"'{spec.Name}': there is no interface '{spec.PortName}' here ('ip link' lists them). For a software port, name a pipe ('netmap:{spec.PortName}{{1') or a VALE port ('vale0:{spec.PortName}').");
        return InterfaceBackend.Open(spec, nic, disableOffloads);
    }

    /// <summary>The mode used when none is asked for.</summary>
    public static PortMode DefaultMode =>
        Enum.TryParse<PortMode>(Environment.GetEnvironmentVariable("NETMAPPS_MODE"), ignoreCase: true, out var m) ? m : PortMode.Emulated;
}
