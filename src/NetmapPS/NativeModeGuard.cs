using Netmap.Native;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>For the administration cmdlets that only the kernel module can serve.</summary>
internal static class NativeModeGuard
{
    /// <summary>Throws a NotSupported error naming <paramref name="what"/> unless this session uses the kernel backend.</summary>
    public static void Require(string what, string? hint = ValeHint)
    {
        if (NetmapBackends.DefaultMode == PortMode.Native) return;
        throw new NetmapException(NetmapError.NotSupported,
            $"{what} needs the netmap kernel module, and this session uses emulated mode ({NetmapBackends.DefaultModeReason}).{(hint is null ? "" : " " + hint)}");
    }

    private const string ValeHint =
        "In emulated mode a VALE port exists while it is open: Open-NetmapPort 'vale0:NAME' adds it to switch vale0, and Close-NetmapPort removes it.";

    /// <summary>Throws when <paramref name="name"/> is not a VALE switch name (netmap's switches are named vale*).</summary>
    public static void RequireSwitchName(string name)
    {
        if (name.StartsWith("vale", StringComparison.Ordinal) && name.Length > 4 && !name.Contains(':')) return;
        throw new NetmapException(NetmapError.InvalidRequest, $"'{name}' is not a VALE switch name: switches are named 'vale' and a suffix, as in 'vale0'.");
    }
}
