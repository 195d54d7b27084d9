namespace Netmap.Native.Ports;

// What the netmap kernel module reports about ports, switches and memory, as the cmdlets emit it.

/// <summary>What NETMAP_REQ_PORT_INFO_GET says about a port (or, for an empty name, about an allocator).</summary>
public sealed record KernelPortInfo(string Name, ulong MemorySize, ushort MemoryId, uint TxRings, uint RxRings,
    uint HostTxRings, uint HostRxRings, uint TxSlots, uint RxSlots);

/// <summary>One port of a kernel VALE switch, as NETMAP_REQ_VALE_LIST walks them.</summary>
public sealed record KernelValePort(string Switch, string Port, ushort BridgeIndex, uint PortIndex);

/// <summary>One pool of a netmap memory allocator: how many objects of which size.</summary>
public sealed record MemoryPool(ushort MemoryId, string Pool, uint Objects, uint ObjectSize, string Source)
{
    /// <summary>Bytes the pool takes.</summary>
    public ulong Bytes => (ulong)Objects * ObjectSize;
    /// <summary>The ports of this session that live in this allocator (empty when none).</summary>
    public string[] UsedBy { get; init; } = Array.Empty<string>();
}
