namespace Netmap.Native.Ports;

/// <summary>A port of a VALE switch.</summary>
public sealed record ValePortInfo(string Switch, string Name, uint Index, PortMode Mode)
{
    /// <summary>Emulated: whether an open port holds its rings now. Null where the kernel does not say.</summary>
    public bool? InUse { get; init; }
    /// <summary>Emulated: packets the switch dropped because this port's receive ring was full.</summary>
    public long? Dropped { get; init; }
    /// <summary>The interface this port bridges to the switch ('eth0', or 'eth0^' for its host stack); null for an ordinary port.</summary>
    public string? AttachedInterface { get; init; }
    /// <summary>Emulated: the process that holds the port (for an attached interface, the one that runs its bridge). Null where unknown.</summary>
    public int? Pid { get; init; }
}

/// <summary>A MAC address a switch learned, and the port it learned it on.</summary>
public sealed record LearnedAddress(string Switch, string Mac, string Port);

/// <summary>A VALE switch, its ports and (emulated switches) its learned MAC table.</summary>
public sealed record ValeSwitchInfo(string Name, PortMode Mode, IReadOnlyList<ValePortInfo> Ports)
{
    /// <summary>Where the switch lives: its region file, or the kernel.</summary>
    public string Region { get; init; } = "";
    /// <summary>The MAC table of an emulated switch; empty for kernel switches (netmap does not export it).</summary>
    public IReadOnlyList<LearnedAddress> MacTable { get; init; } = Array.Empty<LearnedAddress>();
}
