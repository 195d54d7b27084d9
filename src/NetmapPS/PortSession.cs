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

    public static NetmapPort? Find(string name)
    {
        lock (Ports) return Ports.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));
    }

    public static IEnumerable<NetmapPort> Match(string pattern)
    {
        var wildcard = WildcardPattern.Get(pattern, WildcardOptions.None);
        return All.Where(p => wildcard.IsMatch(p.Name));
    }

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
