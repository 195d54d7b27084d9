using Netmap.Native.Emulated;
using Netmap.Native.Interop;
using Netmap.Native.Kernel;
using Netmap.Native.PortNames;

namespace Netmap.Native.Ports;

/// <summary>Chooses the backend that serves a port.</summary>
public static class NetmapBackends
{
    /// <summary>The netmap control device of the kernel module.</summary>
    public const string KernelDevice = "/dev/netmap";

    /// <summary>The environment variable that chooses the mode when none is asked for: Native, Emulated or Auto.</summary>
    public const string ModeVariable = "NETMAPPS_MODE";

    /// <summary>True when the netmap kernel module is loaded here.</summary>
    public static bool KernelModulePresent => File.Exists(KernelDevice);

    /// <summary>
    /// Opens a port with <paramref name="mode"/>, or with the default (<see cref="DefaultMode"/>):
    /// NETMAPPS_MODE when set, else Native where /dev/netmap exists and Emulated elsewhere.
    /// </summary>
    public static IPortDriver Open(PortSpec spec, PortMode? mode = null, bool disableOffloads = false, CancellationToken cancel = default)
    {
        if ((mode ?? DefaultMode) == PortMode.Native) return KernelPort.Open(spec, disableOffloads);
        if (SharedMemoryBackend.Serves(spec)) return SharedMemoryBackend.Open(spec, cancel);
        var nic = NetInterface.Find(spec.PortName) ?? throw new NetmapException(NetmapError.NotFound,
            $"'{spec.Name}': there is no interface '{spec.PortName}' here ('ip link' lists them). For a software port, name a pipe ('netmap:{spec.PortName}{{1') or a VALE port ('vale0:{spec.PortName}').");
        return InterfaceBackend.Open(spec, nic, disableOffloads);
    }

    /// <summary>The mode used when none is asked for, and why.</summary>
    public static PortMode DefaultMode => Choose(null, Environment.GetEnvironmentVariable(ModeVariable), KernelModulePresent).Mode;

    /// <summary>Why <see cref="DefaultMode"/> is what it is, in words.</summary>
    public static string DefaultModeReason => Choose(null, Environment.GetEnvironmentVariable(ModeVariable), KernelModulePresent).Reason;

    /// <summary>
    /// The mode for a request: the one asked for; else <paramref name="environment"/> (the value of
    /// NETMAPPS_MODE: Native, Emulated, or Auto/empty for automatic); else Native when the kernel module
    /// is present and Emulated when not.
    /// </summary>
    public static (PortMode Mode, string Reason) Choose(PortMode? requested, string? environment, bool kernelPresent)
    {
        if (requested is { } asked) return (asked, "-Mode");
        string value = environment?.Trim() ?? "";
        if (value.Length > 0 && !value.Equals("Auto", StringComparison.OrdinalIgnoreCase))
        {
            if (Enum.TryParse<PortMode>(value, ignoreCase: true, out var m) && Enum.IsDefined(m)) return (m, $"{ModeVariable}={value}");
            throw new NetmapException(NetmapError.InvalidRequest,
                $"{ModeVariable}='{value}' is not a mode: set it to Native, Emulated or Auto, or remove it.");
        }
        return kernelPresent ? (PortMode.Native, $"{KernelDevice} exists") : (PortMode.Emulated, $"{KernelDevice} does not exist");
    }
}
