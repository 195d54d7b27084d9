using Netmap.Native.Abi;
using Netmap.Native.Emulated;
using Netmap.Native.Kernel;

namespace Netmap.Native.Ports;

/// <summary>What this machine offers for netmap: the kernel module or not, the API, the backend in use, and the memory pools.</summary>
public sealed record NetmapSystemInfo
{
    /// <summary>True when /dev/netmap exists (the netmap kernel module is loaded).</summary>
    public bool KernelModuleLoaded { get; init; }
    /// <summary>The control device.</summary>
    public string Device { get; init; } = NetmapBackends.KernelDevice;
    /// <summary>Whether this process could open the device read-write; null when the module is absent.</summary>
    public bool? DeviceAccessible { get; init; }
    /// <summary>The netmap API version NetmapPS speaks (NETMAP_API).</summary>
    public int ApiVersion { get; init; } = NetmapAbi.ApiVersion;
    /// <summary>Whether the module accepts <see cref="ApiVersion"/>; null when it could not be asked.</summary>
    public bool? KernelAcceptsApi { get; init; }
    /// <summary>Why the kernel backend cannot be used, when it cannot.</summary>
    public string? KernelProblem { get; init; }
    /// <summary>The backend Open-NetmapPort uses when no -Mode is given.</summary>
    public PortMode DefaultMode { get; init; }
    /// <summary>Why that backend: -Mode, NETMAPPS_MODE, or whether /dev/netmap exists.</summary>
    public string DefaultModeReason { get; init; } = "";
    /// <summary>Size of the kernel's global memory region (allocator 1), in bytes; null without the module.</summary>
    public ulong? GlobalMemorySize { get; init; }
    /// <summary>The kernel's memory pools: the global allocator and those of the native ports open here, with the ports using them.</summary>
    public IReadOnlyList<MemoryPool> Pools { get; init; } = Array.Empty<MemoryPool>();
    /// <summary>The module's parameters (/sys/module/netmap/parameters).</summary>
    public IReadOnlyDictionary<string, string> ModuleParameters { get; init; } = new Dictionary<string, string>();
    /// <summary>Ports open in this session, per mode.</summary>
    public int NativePorts { get; init; }
    /// <summary>Ports open in this session, per mode.</summary>
    public int EmulatedPorts { get; init; }
    /// <summary>The region files of this user's emulated pipes and switches.</summary>
    public IReadOnlyList<string> EmulatedRegions { get; init; } = Array.Empty<string>();

    /// <summary>Looks at the machine; <paramref name="openPorts"/> are the ports of this session.</summary>
    public static NetmapSystemInfo Collect(IReadOnlyList<NetmapPort> openPorts)
    {
        bool present = NetmapBackends.KernelModulePresent;
        bool? accessible = null, accepts = null;
        string? problem = null;
        ulong? globalSize = null;
        var pools = new List<MemoryPool>();
        var parameters = Kernel.ModuleParameters.ReadAll();
        var native = openPorts.Where(p => p.IsOpen && p.Mode == PortMode.Native).ToList();
        if (present)
        {
            try
            {
                int errno = KernelControl.ProbeApi();
                accessible = true;
                accepts = !KernelControl.IsApiMismatch(errno);
                if (accepts == false) problem = KernelErrors.ApiMismatch("API check", errno).Message;
                else globalSize = KernelControl.GetPortInfo("", 1).MemorySize;
            }
            catch (NetmapException e)
            {
                accessible = e.Error != NetmapError.PermissionDenied && e.Error != NetmapError.NotFound;
                problem = e.Message;
            }
            pools.AddRange(KernelPools(parameters, native));
        }
        var (mode, reason) = ChooseDefault();
        return new NetmapSystemInfo
        {
            KernelModuleLoaded = present, DeviceAccessible = accessible, KernelAcceptsApi = accepts, KernelProblem = problem,
            DefaultMode = mode, DefaultModeReason = reason, GlobalMemorySize = globalSize, Pools = pools, ModuleParameters = parameters,
            NativePorts = native.Count, EmulatedPorts = openPorts.Count(p => p.IsOpen && p.Mode == PortMode.Emulated),
            EmulatedRegions = EmulatedRegionFiles(),
        };
    }

    /// <summary>The global allocator from the module parameters, then each other allocator a native port of this session uses.</summary>
    private static IEnumerable<MemoryPool> KernelPools(IReadOnlyDictionary<string, string> parameters, List<NetmapPort> native)
    {
        string[] UsersOf(ushort id) => native.Where(p => p.MemoryId == id).Select(p => p.Name).ToArray();
        foreach (var pool in Kernel.ModuleParameters.GlobalPools(parameters))
            yield return pool with { UsedBy = UsersOf(1) };
        foreach (var group in native.Where(p => p.MemoryId != 1).GroupBy(p => p.MemoryId))
        {
            IReadOnlyList<MemoryPool> found;
            try { found = KernelControl.GetPools(group.First().Spec.RequestName, group.Key); }
            catch (NetmapException) { continue; }
            foreach (var pool in found) yield return pool with { UsedBy = UsersOf(group.Key) };
        }
    }

    private static (PortMode, string) ChooseDefault()
    {
        try { return (NetmapBackends.DefaultMode, NetmapBackends.DefaultModeReason); }
        catch (NetmapException e) { return (NetmapBackends.KernelModulePresent ? PortMode.Native : PortMode.Emulated, e.Message); }
    }

    private static IReadOnlyList<string> EmulatedRegionFiles()
    {
        return SharedMemoryBackend.OwnRegionFiles();
    }
}
