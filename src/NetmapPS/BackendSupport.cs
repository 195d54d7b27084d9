using Netmap.Native;
using Netmap.Native.PortNames;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>For the cmdlets whose work not every backend offers: they ask the registry, and say so when the session's backends cannot.</summary>
internal static class BackendSupport
{
    /// <summary>VALE administration (vale-ctl) from the session's backends, or a NotSupported error naming <paramref name="what"/>.</summary>
    public static IValeAdministration Vale(string what) => NetmapBackends.ValeAdministration ?? throw Missing(what, ValeHint);

    /// <summary>What <paramref name="spec"/> is without opening it, or a NotSupported error.</summary>
    public static KernelPortInfo Describe(PortSpec spec) =>
        NetmapBackends.Describe(spec) ?? throw Missing("Port information without opening the port", "Open the port and use Get-NetmapPort instead.");

    private static NetmapException Missing(string what, string hint) =>
        new(NetmapError.NotSupported,
            $"{what} needs the netmap kernel module, and this session uses {NetmapBackends.DefaultMode.ToString().ToLowerInvariant()} mode ({NetmapBackends.DefaultModeReason}). {hint}");

    private const string ValeHint =
        "In emulated mode a VALE port exists while it is open: Open-NetmapPort 'vale0:NAME' adds it to switch vale0, and Close-NetmapPort removes it.";

    /// <summary>Throws when <paramref name="name"/> is not a VALE switch name (netmap's switches are named vale*).</summary>
    public static void RequireSwitchName(string name)
    {
        if (name.StartsWith("vale", StringComparison.Ordinal) && name.Length > 4 && !name.Contains(':')) return;
        throw new NetmapException(NetmapError.InvalidRequest, $"'{name}' is not a VALE switch name: switches are named 'vale' and a suffix, as in 'vale0'.");
    }
}
