using System.Net;

namespace Netmap.Native.Lab;

/// <summary>
/// A lab: network namespaces (one per host) joined by veth links, made by <see cref="LabBuilder"/>.
/// Its namespaces are named '&lt;Name&gt;.&lt;host&gt;'; the lock file it holds while it lives tells
/// other processes that it is not stale.
/// </summary>
public sealed class NetmapLab
{
    internal NetmapLab(string name, IReadOnlyList<LabHost> hosts, IReadOnlyList<LabLink> links, FileStream? lockFile)
    {
        Name = name;
        Hosts = hosts;
        Links = links;
        LockFile = lockFile;
    }

    /// <summary>Unique on this machine: 'nmlab-[label-]&lt;pid&gt;-&lt;random&gt;'.</summary>
    public string Name { get; }

    public IReadOnlyList<LabHost> Hosts { get; }

    public IReadOnlyList<LabLink> Links { get; }

    /// <summary>The process that made the lab (it is stale once that process is gone).</summary>
    public int CreatorProcessId { get; } = Environment.ProcessId;

    /// <summary>True once Remove-NetmapLab removed it.</summary>
    public bool IsRemoved { get; internal set; }

    internal FileStream? LockFile { get; set; }

    /// <summary>The host named <paramref name="host"/> (case-insensitive), or null.</summary>
    public LabHost? this[string host] => Hosts.FirstOrDefault(h => string.Equals(h.Name, host, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => Name;
}

/// <summary>A host of a lab: a network namespace and its lab interfaces.</summary>
public sealed class LabHost
{
    internal LabHost(string name, string ns) { Name = name; Namespace = ns; }

    public string Name { get; }

    /// <summary>The network namespace (ip netns exec &lt;Namespace&gt; ...).</summary>
    public string Namespace { get; }

    public IReadOnlyList<LabInterface> Interfaces => InterfaceList;

    internal List<LabInterface> InterfaceList { get; } = new();

    /// <summary>The interface named <paramref name="name"/>, or null.</summary>
    public LabInterface? this[string name] => InterfaceList.FirstOrDefault(i => i.Name == name);

    public override string ToString() => Name;
}

/// <summary>One end of a veth link, as its host sees it.</summary>
public sealed class LabInterface
{
    internal LabInterface(string host, string name, IPAddress address, int prefixLength)
    {
        Host = host; Name = name; Address = address; PrefixLength = prefixLength;
    }

    public string Host { get; }

    public string Name { get; }

    /// <summary>The MAC address, as 'aa:bb:cc:dd:ee:ff'.</summary>
    public string Mac { get; internal set; } = "";

    public IPAddress Address { get; }

    public int PrefixLength { get; }

    /// <summary>The other end of the link: 'host:interface'.</summary>
    public string Peer { get; internal set; } = "";

    public int Queues { get; internal set; } = 1;

    public override string ToString() => $"{Host}:{Name}";
}

/// <summary>A veth link between two hosts' interfaces.</summary>
public sealed class LabLink
{
    internal LabLink(LabInterface first, LabInterface second) { First = first; Second = second; }

    public LabInterface First { get; }

    public LabInterface Second { get; }

    public override string ToString() => $"{First}={Second}";
}

/// <summary>A lab could not be built or removed, or was asked for in a way that cannot work.</summary>
public sealed class LabException : Exception
{
    public LabException(string message, bool invalidRequest = false, Exception? inner = null) : base(message, inner) =>
        InvalidRequest = invalidRequest;

    /// <summary>True when the request itself is wrong (a bad link, name or subnet), false when a step failed.</summary>
    public bool InvalidRequest { get; }
}
