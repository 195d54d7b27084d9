namespace Netmap.Native.PortNames;

/// <summary>
/// Ring and slot counts requested with the <c>@conf:</c> option. A null value leaves the netmap default.
/// </summary>
public sealed class PortConfig
{
    /// <summary>Number of TX rings (<c>tx_rings</c>, or <c>rings</c>).</summary>
    public uint? TxRings { get; init; }

    /// <summary>Number of RX rings (<c>rx_rings</c>, or <c>rings</c>).</summary>
    public uint? RxRings { get; init; }

    /// <summary>Number of host TX rings (<c>host_tx_rings</c>, or <c>host_rings</c>).</summary>
    public uint? HostTxRings { get; init; }

    /// <summary>Number of host RX rings (<c>host_rx_rings</c>, or <c>host_rings</c>).</summary>
    public uint? HostRxRings { get; init; }

    /// <summary>Slots per TX ring (<c>tx_slots</c>, or <c>slots</c>).</summary>
    public uint? TxSlots { get; init; }

    /// <summary>Slots per RX ring (<c>rx_slots</c>, or <c>slots</c>).</summary>
    public uint? RxSlots { get; init; }
}

/// <summary>
/// An external memory region requested with the <c>@extmem</c> option. The numbers size the
/// interface, ring and buffer pools inside the region; a null value leaves the netmap default.
/// </summary>
public sealed class ExternalMemory
{
    /// <summary>The file to map as the memory region (key <c>file</c>, mandatory).</summary>
    public string File { get; init; } = "";

    /// <summary>Number of interface objects (<c>if_num</c>).</summary>
    public uint? InterfaceCount { get; init; }

    /// <summary>Size of one interface object (<c>if_size</c>).</summary>
    public uint? InterfaceSize { get; init; }

    /// <summary>Number of ring objects (<c>ring_num</c>).</summary>
    public uint? RingCount { get; init; }

    /// <summary>Size of one ring object (<c>ring_size</c>).</summary>
    public uint? RingSize { get; init; }

    /// <summary>Number of buffers (<c>buf_num</c>).</summary>
    public uint? BufferCount { get; init; }

    /// <summary>Size of one buffer (<c>buf_size</c>).</summary>
    public uint? BufferSize { get; init; }
}
