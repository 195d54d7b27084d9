using Netmap.Native.Emulated;
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
    /// Every backend, in the order they are asked whether they serve a name: the first of the chosen
    /// mode that does, opens it. A new backend is one more line here.
    /// </summary>
    public static IReadOnlyList<INetmapBackend> Registered { get; } = new INetmapBackend[]
    {
        new KernelBackend(),
        new SoftwarePortsBackend(),
        new InterfacePortsBackend(),
    };

    /// <summary>The backends of <paramref name="mode"/>.</summary>
    public static IEnumerable<INetmapBackend> OfMode(PortMode mode) => Registered.Where(b => b.Mode == mode);

    /// <summary>The backend of <paramref name="mode"/> (default: <see cref="DefaultMode"/>) that serves <paramref name="spec"/>.</summary>
    public static INetmapBackend For(PortSpec spec, PortMode? mode = null)
    {
        var chosen = mode ?? DefaultMode;
        return OfMode(chosen).FirstOrDefault(b => b.Serves(spec))
            ?? throw new NetmapException(NetmapError.NotSupported, $"'{spec.Name}': no {chosen} backend serves this kind of port.");
    }

    /// <summary>
    /// Opens a port with <paramref name="mode"/>, or with the default (<see cref="DefaultMode"/>):
    /// NETMAPPS_MODE when set, else Native where /dev/netmap exists and Emulated elsewhere.
    /// </summary>
    public static IPortDriver Open(PortSpec spec, PortMode? mode = null, bool disableOffloads = false, CancellationToken cancel = default) =>
        For(spec, mode).Open(spec, disableOffloads, cancel);

    /// <summary>The VALE switches of every backend of <paramref name="mode"/>.</summary>
    public static IReadOnlyList<ValeSwitchInfo> Switches(PortMode mode) => OfMode(mode).SelectMany(b => b.Switches()).ToList();

    /// <summary>Port names the backends of the default mode know of now (every backend's, when the mode setting is invalid).</summary>
    public static IEnumerable<PortCandidate> Candidates(string typed)
    {
        PortMode? mode;
        try { mode = DefaultMode; }
        catch (NetmapException) { mode = null; }
        return Registered.Where(b => mode is null || b.Mode == mode).SelectMany(b => b.Candidates(typed));
    }

    /// <summary>
    /// Rings, slots and memory of <paramref name="spec"/> without opening it, from the backend that serves
    /// it in the default mode; null when that backend cannot tell without opening the port.
    /// </summary>
    public static KernelPortInfo? Describe(PortSpec spec) => For(spec).Describe(spec);

    /// <summary>VALE administration (vale-ctl) in the default mode; null when no backend of that mode offers it.</summary>
    public static IValeAdministration? ValeAdministration => OfMode(DefaultMode).Select(b => b.Vale).FirstOrDefault(v => v is not null);

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
        if (requested is { } asked) return (asked, "asked for");
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
