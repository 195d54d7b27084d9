namespace Netmap.Native.Interop;

/// <summary>A Linux network interface as sysfs and the kernel describe it.</summary>
internal sealed record NetInterface(string Name, int Index, uint RxQueues, uint TxQueues, uint Mtu)
{
    private const string SysClassNet = "/sys/class/net";

    /// <summary>
    /// The inode of this process's network namespace: ifindexes and link ids are the same numbers in
    /// every namespace (eth0 is ifindex 2 in each new one), so what names an interface across processes carries it.
    /// </summary>
    public static readonly ulong NamespaceInode =
        ulong.Parse("0" + new string((new FileInfo("/proc/self/ns/net").LinkTarget ?? "").Where(char.IsAsciiDigit).ToArray()));

    /// <summary>Reads the interface <paramref name="name"/>; null when there is none.</summary>
    public static NetInterface? Find(string name)
    {
        if (name.Length is 0 or > 15 || name.Contains('/') || name is "." or "..") return null;
        string dir = Path.Combine(SysClassNet, name);
        if (!Directory.Exists(dir)) return null;
        int index = LibC.IfNameToIndex(name);
        if (index <= 0) return null;
        string queues = Path.Combine(dir, "queues");
        uint Count(string prefix) => Directory.Exists(queues) ? (uint)Directory.GetDirectories(queues, prefix + "*").Length : 1;
        uint mtu = uint.TryParse(File.ReadAllText(Path.Combine(dir, "mtu")).Trim(), out var m) ? m : 1500;
        return new NetInterface(name, index, Math.Max(1, Count("rx-")), Math.Max(1, Count("tx-")), mtu);
    }
}
