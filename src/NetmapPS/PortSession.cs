using System.Management.Automation;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>
/// The ports opened in this PowerShell process. They stay open between commands until
/// Close-NetmapPort, module removal or process exit closes them (so region files never outlive us).
/// </summary>
internal static class PortSession
{
    private static readonly List<NetmapPort> Ports = new();

    static PortSession() => AppDomain.CurrentDomain.ProcessExit += (_, _) => CloseAll();

    public static void Add(NetmapPort port)
    {
        lock (Ports) Ports.Add(port);
    }

    public static IReadOnlyList<NetmapPort> All
    {
        get { lock (Ports) return Ports.ToArray(); }
    }

    /// <summary>
    /// The open port named <paramref name="name"/>, by its full name or by its short name (the name
    /// without '@' options: 'netmap:q{1@conf:rings=2' is also 'netmap:q{1') when only one port has it.
    /// </summary>
    public static NetmapPort? Find(string name)
    {
        var ports = All;
        return ports.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal))
            ?? (ports.Where(p => string.Equals(ShortName(p.Name), name, StringComparison.Ordinal)).ToList() is [var only] ? only : null);
    }

    /// <summary>The open ports whose full or short name matches the wildcard <paramref name="pattern"/>.</summary>
    public static IEnumerable<NetmapPort> Match(string pattern)
    {
        var wildcard = WildcardPattern.Get(pattern, WildcardOptions.None);
        return All.Where(p => wildcard.IsMatch(p.Name) || wildcard.IsMatch(ShortName(p.Name)));
    }

    /// <summary>
    /// The open port whose rings a new open of <paramref name="spec"/> would compete for: the same
    /// interface, pipe end or switch port (same prefix, request name and pipe end).
    /// </summary>
    public static NetmapPort? SamePort(Netmap.Native.PortNames.PortSpec spec) =>
        All.FirstOrDefault(p => p.Spec.Prefix == spec.Prefix && p.Spec.RequestName == spec.RequestName && p.Spec.Pipe == spec.Pipe);

    /// <summary>A port name without its '@' options.</summary>
    public static string ShortName(string name) => name.IndexOf('@') is var at and >= 0 ? name[..at] : name;

    public static void Close(NetmapPort port)
    {
        lock (Ports) Ports.Remove(port);
        port.Dispose();
    }

    public static void CloseAll()
    {
        foreach (var port in All) Close(port);
    }
}

/// <summary>Closes every port when the module is removed.</summary>
public sealed class ModuleCleanup : IModuleAssemblyCleanup
{
    public void OnRemove(PSModuleInfo psModuleInfo) => PortSession.CloseAll();
}
