using Netmap.Native;
using Netmap.Native.PortNames;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>For the cmdlets whose work not every backend offers: they ask the registry, and say so when the session's backends cannot.</summary>
internal static class BackendSupport
{
    /// <summary>VALE administration (vale-ctl) from the session's backends, or a NotSupported error naming <paramref name="what"/> (a Strings.NeedsKernel_ phrase).</summary>
    public static IValeAdministration Vale(string what) => NetmapBackends.ValeAdministration ?? throw Missing(what, Strings.NeedsKernel_ValeHint);

    /// <summary>What <paramref name="spec"/> is without opening it, or a NotSupported error.</summary>
    public static KernelPortInfo Describe(PortSpec spec) =>
        NetmapBackends.Describe(spec) ?? throw Missing(Strings.NeedsKernel_PortInfo, Strings.NeedsKernel_PortInfoHint);

    private static NetmapException Missing(string what, string hint) =>
        new(NetmapError.NotSupported, $"{Words.Format(Strings.NeedsKernelModule, what, NetmapBackends.DefaultMode.ToString().ToLowerInvariant(), NetmapBackends.DefaultModeReason)} {hint}");

    /// <summary>Throws when <paramref name="name"/> is not a VALE switch name (netmap's switches are named vale*).</summary>
    public static void RequireSwitchName(string name)
    {
        if (name.StartsWith("vale", StringComparison.Ordinal) && name.Length > 4 && !name.Contains(':')) return;
        throw new NetmapException(NetmapError.InvalidRequest, Words.Format(Strings.NotASwitchName, name));
    }
}
