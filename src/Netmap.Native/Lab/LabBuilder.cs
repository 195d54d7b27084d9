using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Netmap.Native.Interop;

namespace Netmap.Native.Lab;

/// <summary>What a lab is made of; whatever is left out gets a default.</summary>
public sealed class LabOptions
{
    /// <summary>Links as 'hostA:ifA=hostB:ifB'. Default: one link 'a:eth0=b:eth0'.</summary>
    public IReadOnlyList<string> Links { get; init; } = new[] { "a:eth0=b:eth0" };

    /// <summary>One IPv4 subnet per link ('10.99.0.0/24'); the first end gets .1, the second .2. Default: 10.99.&lt;link&gt;.0/24.</summary>
    public IReadOnlyList<string> Subnets { get; init; } = Array.Empty<string>();

    /// <summary>TX and RX queues of every veth (1 is what a veth has by default).</summary>
    public int Queues { get; init; } = 1;

    /// <summary>Permanent neighbour entries for both ends of each link, so that ARP is not needed (a netmap port takes ARP off the stack).</summary>
    public bool StaticNeighbors { get; init; } = true;

    /// <summary>Turns checksum, segmentation and receive offloads off on every lab interface (ethtool -K).</summary>
    public bool DisableOffloads { get; init; }

    /// <summary>Keeps IPv6 on (off by default, so that router solicitations and MLD reports do not add frames to every capture).</summary>
    public bool IPv6 { get; init; }

    /// <summary>A short word put in the lab's name, to tell labs apart in 'ip netns'.</summary>
    public string? Label { get; init; }
}

/// <summary>
/// Builds and removes labs with iproute2 and ethtool. Each lab holds a lock file
/// (/run/netmapps/labs/&lt;name&gt;.lock) for as long as the process that made it lives: a lab whose
/// lock nobody holds was left by a process that was killed, and <see cref="RemoveStale"/> removes it.
/// </summary>
public static partial class LabBuilder
{
    public const string Prefix = "nmlab-";
    private const string NetnsDirectory = "/run/netns";
    public static string LockDirectory { get; } = "/run/netmapps/labs";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,15}$")] private static partial Regex HostName();
    [GeneratedRegex("^[A-Za-z0-9_.-]{1,15}$")] private static partial Regex InterfaceName();
    [GeneratedRegex("^[a-z0-9]{1,12}$")] private static partial Regex LabelText();
    // What Create names a lab: only such names are ever taken for stale (not a user's own 'nmlab-a').
    [GeneratedRegex("^nmlab-(?:[a-z0-9]{1,12}-)?[0-9]+-[0-9a-f]{6}$")] private static partial Regex LabName();

    /// <summary>Builds a lab: the namespaces, links, addresses and neighbours (New-NetmapLab calls <see cref="RemoveStale"/> first).</summary>
    public static NetmapLab Create(LabOptions options)
    {
        var plan = Plan(options);
        var name = $"{Prefix}{(options.Label is null ? "" : options.Label + "-")}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        var hosts = plan.Hosts.Select(h => new LabHost(h, $"{name}.{h}")).ToList();
        var lab = new NetmapLab(name, hosts, new List<LabLink>(), TakeLock(name));
        try
        {
            foreach (var host in hosts) AddNamespace(host.Namespace, options.IPv6);
            var links = (List<LabLink>)lab.Links;
            foreach (var (first, second) in plan.Links)
            {
                AddLink(lab, first, second, options.Queues);
                links.Add(new LabLink(first, second));
            }
            foreach (var host in hosts) Configure(host, options);
            if (options.StaticNeighbors)
                foreach (var link in links)
                {
                    AddNeighbor(lab[link.First.Host]!, link.First, link.Second);
                    AddNeighbor(lab[link.Second.Host]!, link.Second, link.First);
                }
            return lab;
        }
        catch
        {
            Remove(lab);
            throw;
        }
    }

    /// <summary>Removes a lab: ends the processes still in its namespaces, deletes them (and so its veths) and its lock file.</summary>
    public static void Remove(NetmapLab lab)
    {
        if (lab.IsRemoved) return;
        foreach (var host in lab.Hosts) RemoveNamespace(host.Namespace);
        var file = lab.LockFile;
        if (file is not null)
        {
            TryDelete(LockPath(lab.Name));   // still holding the lock: nobody takes it for stale meanwhile
            file.Dispose();
            lab.LockFile = null;
        }
        lab.IsRemoved = true;
    }

    /// <summary>The labs on this machine whose creating process is gone (nobody holds their lock); removes them and returns their names.</summary>
    public static IReadOnlyList<string> RemoveStale()
    {
        var removed = new List<string>();
        foreach (var name in LabNames())
        {
            var path = LockPath(name);
            FileStream? file = null;
            try { file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete); }
            catch (FileNotFoundException) { }
            catch (DirectoryNotFoundException) { }
            using (file)
            {
                if (file is not null && !OfdLock.TryLock((int)file.SafeFileHandle.DangerousGetHandle(), 0)) continue;   // alive
                foreach (var ns in Namespaces(name)) RemoveNamespace(ns);
                if (file is not null) TryDelete(path);
            }
            removed.Add(name);
        }
        // A lock file a killed process made but never renamed (it died before making anything else).
        if (Directory.Exists(LockDirectory))
            foreach (var path in Directory.EnumerateFiles(LockDirectory, Prefix + "*.lock.new"))
                try
                {
                    using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                    if (OfdLock.TryLock((int)file.SafeFileHandle.DangerousGetHandle(), 0)) TryDelete(path);
                }
                catch (IOException) { }
        return removed;
    }

    /// <summary>The names of the labs on this machine (from their namespaces and lock files), alive or not.</summary>
    public static IReadOnlyList<string> LabNames()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(NetnsDirectory))
            foreach (var ns in Directory.EnumerateFileSystemEntries(NetnsDirectory, Prefix + "*").Select(Path.GetFileName))
                if (ns!.LastIndexOf('.') is > 0 and var dot) names.Add(ns[..dot]);
        if (Directory.Exists(LockDirectory))
            foreach (var file in Directory.EnumerateFiles(LockDirectory, Prefix + "*.lock"))
                names.Add(Path.GetFileNameWithoutExtension(file));
        return names.Where(n => LabName().IsMatch(n)).ToList();
    }

    private static IEnumerable<string> Namespaces(string lab) =>
        Directory.Exists(NetnsDirectory)
            ? Directory.EnumerateFileSystemEntries(NetnsDirectory, lab + ".*").Select(p => Path.GetFileName(p)!).ToList()
            : Enumerable.Empty<string>();

    private static string LockPath(string lab) => Path.Combine(LockDirectory, lab + ".lock");

    // The lock file appears under its final name already locked (made under a temporary name, then
    // renamed), so that RemoveStale never sees it unlocked while its lab is being built.
    private static FileStream TakeLock(string name)
    {
        Directory.CreateDirectory(LockDirectory);
        var temporary = LockPath(name) + ".new";
        var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            OfdLock.Lock((int)file.SafeFileHandle.DangerousGetHandle(), 0, temporary, wait: false);
            var text = System.Text.Encoding.UTF8.GetBytes($"pid {Environment.ProcessId}\n");
            file.Write(text);
            file.Flush();
            File.Move(temporary, LockPath(name));
            return file;
        }
        catch
        {
            file.Dispose();
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private sealed record LabPlan(List<string> Hosts, List<(LabInterface, LabInterface)> Links);

    // Checks the whole request before anything is made.
    private static LabPlan Plan(LabOptions options)
    {
        if (options.Label is not null && !LabelText().IsMatch(options.Label))
            throw new LabException($"The lab name '{options.Label}' is not usable: give 1 to 12 lowercase letters or digits.", true);
        if (options.Queues is < 1 or > 64)
            throw new LabException($"{options.Queues} queues: a veth takes 1 to 64.", true);
        if (options.Links.Count == 0) throw new LabException("A lab needs at least one link, such as 'a:eth0=b:eth0'.", true);
        if (options.Subnets.Count > options.Links.Count)
            throw new LabException($"{options.Subnets.Count} subnets for {options.Links.Count} links: give one subnet per link, or none.", true);
        var hosts = new List<string>();
        var links = new List<(LabInterface, LabInterface)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Links.Count; i++)
        {
            var ends = options.Links[i].Split('=');
            if (ends.Length != 2)
                throw new LabException($"The link '{options.Links[i]}' is not 'host:interface=host:interface' (for example 'a:eth0=b:eth0').", true);
            var (network, prefix) = Subnet(i < options.Subnets.Count ? options.Subnets[i] : $"10.99.{i}.0/24");
            var pair = new LabInterface[2];
            for (var e = 0; e < 2; e++)
            {
                var parts = ends[e].Trim().Split(':');
                if (parts.Length != 2 || !HostName().IsMatch(parts[0]) || !InterfaceName().IsMatch(parts[1]))
                    throw new LabException($"'{ends[e]}' in the link '{options.Links[i]}' is not 'host:interface': a host name has 1 to 15 letters, digits, '-' or '_', an interface name 1 to 15 letters, digits, '-', '_' or '.'.", true);
                if (!seen.Add($"{parts[0]}:{parts[1]}"))
                    throw new LabException($"'{ends[e]}' is in two links: each interface belongs to one link.", true);
                var host = hosts.FirstOrDefault(h => string.Equals(h, parts[0], StringComparison.OrdinalIgnoreCase)) ?? parts[0];
                if (!hosts.Contains(host)) hosts.Add(host);
                var address = network.GetAddressBytes();
                address[3] += (byte)(e + 1);
                pair[e] = new LabInterface(host, parts[1], new IPAddress(address), prefix) { Queues = options.Queues };
            }
            pair[0].Peer = pair[1].ToString();
            pair[1].Peer = pair[0].ToString();
            links.Add((pair[0], pair[1]));
        }
        return new LabPlan(hosts, links);
    }

    private static (IPAddress Network, int Prefix) Subnet(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && IPAddress.TryParse(parts[0], out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            && int.TryParse(parts[1], out var prefix) && prefix is >= 8 and <= 30)
        {
            var bytes = address.GetAddressBytes();
            var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]) & (uint.MaxValue << (32 - prefix));
            return (new IPAddress(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value }), prefix);
        }
        throw new LabException($"The subnet '{text}' is not an IPv4 subnet with a prefix of 8 to 30 bits, such as '10.99.0.0/24'.", true);
    }

    private static void AddNamespace(string ns, bool ipv6)
    {
        Run("ip", "netns", "add", ns);
        Run("ip", "-n", ns, "link", "set", "lo", "up");
        if (!ipv6) Run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
    }

    private static void AddLink(NetmapLab lab, LabInterface first, LabInterface second, int queues)
    {
        var q = queues.ToString();
        Run("ip", "-n", lab[first.Host]!.Namespace, "link", "add", first.Name, "numtxqueues", q, "numrxqueues", q, "type", "veth",
            "peer", "name", second.Name, "netns", lab[second.Host]!.Namespace, "numtxqueues", q, "numrxqueues", q);
        foreach (var end in new[] { first, second })
        {
            var host = lab[end.Host]!;
            host.InterfaceList.Add(end);
            Run("ip", "-n", host.Namespace, "addr", "add", $"{end.Address}/{end.PrefixLength}", "dev", end.Name);
            Run("ip", "-n", host.Namespace, "link", "set", end.Name, "up");
            using var json = JsonDocument.Parse(Run("ip", "-n", host.Namespace, "-j", "link", "show", "dev", end.Name));
            end.Mac = json.RootElement[0].GetProperty("address").GetString() ?? "";
        }
    }

    // Per host: XPS (CPU n transmits on queue n, which veth delivers to RX queue n of the peer) and offloads.
    private static void Configure(LabHost host, LabOptions options)
    {
        foreach (var end in host.InterfaceList)
        {
            if (options.Queues > 1)
            {
                var steps = Enumerable.Range(0, Math.Min(options.Queues, Environment.ProcessorCount))
                    .Select(n => $"echo {1L << n:x} > /sys/class/net/{end.Name}/queues/tx-{n}/xps_cpus");
                Run("ip", "netns", "exec", host.Namespace, "sh", "-c", string.Join("; ", steps));
            }
            if (options.DisableOffloads)
                Run("ip", "netns", "exec", host.Namespace, "ethtool", "-K", end.Name, "rx", "off", "tx", "off", "tso", "off", "gso", "off", "gro", "off");
        }
    }

    private static void AddNeighbor(LabHost host, LabInterface local, LabInterface remote) =>
        Run("ip", "-n", host.Namespace, "neigh", "replace", remote.Address.ToString(), "lladdr", remote.Mac, "dev", local.Name, "nud", "permanent");

    // Ends the processes in the namespace (servers a test started there), then deletes it.
    private static void RemoveNamespace(string ns)
    {
        if (!File.Exists(Path.Combine(NetnsDirectory, ns))) return;
        var pids = TryRun("ip", "netns", "pids", ns).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, out var pid) ? pid : 0).Where(p => p > 1 && p != Environment.ProcessId).ToList();
        foreach (var pid in pids) LibC.Kill(pid, 15);
        var deadline = Stopwatch.StartNew();
        while (pids.Any(LibC.ProcessExists) && deadline.ElapsedMilliseconds < 1000) Thread.Sleep(20);
        foreach (var pid in pids.Where(LibC.ProcessExists)) LibC.Kill(pid, 9);
        TryRun("ip", "netns", "del", ns);
    }

    private static string TryRun(params string[] command)
    {
        try { return Run(command); } catch (LabException) { return ""; }
    }

    /// <summary>Runs a command, returns its standard output; throws a LabException with its error output when it fails.</summary>
    internal static string Run(params string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1)) info.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LabException($"'{command[0]}' could not be started ({e.Message}); a lab needs iproute2 and ethtool.", inner: e);
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new LabException($"'{string.Join(' ', command)}' failed (exit code {process.ExitCode}): {error.Result.Trim()}");
            return output;
        }
    }
}
