namespace Netmap.Native.Ports;

/// <summary>
/// The interfaces of this network namespace as port names (netmap:eth0, and once an interface is typed
/// in full, its ring pairs -N, host rings ^ and *): what both the kernel module and the interface
/// driver can open.
/// </summary>
internal static class InterfaceCandidates
{
    private const string SysClassNet = "/sys/class/net";

    public static IEnumerable<PortCandidate> For(string typed)
    {
        foreach (var (name, rx, tx) in Interfaces())
        {
            string port = $"netmap:{name}";
            yield return new(port, $"all NIC rings of {name} ({rx} RX / {tx} TX queues)");
            if (!typed.StartsWith(port, StringComparison.OrdinalIgnoreCase)) continue;
            for (uint q = 0; q < Math.Max(rx, tx); q++) yield return new($"{port}-{q}", $"NIC ring pair {q} of {name}");
            yield return new($"{port}^", $"host rings of {name}: what the host stack sends and receives");
            yield return new($"{port}*", $"NIC and host rings of {name}");
        }
    }

    /// <summary>Interfaces with their RX and TX queue counts (at least 1 each).</summary>
    private static IEnumerable<(string Name, uint Rx, uint Tx)> Interfaces()
    {
        string[] dirs;
        try { dirs = Directory.GetFileSystemEntries(SysClassNet); }
        catch (IOException) { yield break; }
        catch (UnauthorizedAccessException) { yield break; }
        foreach (string dir in dirs.OrderBy(d => d, StringComparer.Ordinal))
        {
            string queues = Path.Combine(dir, "queues");
            uint Count(string prefix) => Directory.Exists(queues) ? (uint)Math.Max(1, Directory.GetDirectories(queues, prefix + "*").Length) : 1;
            yield return (Path.GetFileName(dir), Count("rx-"), Count("tx-"));
        }
    }
}
