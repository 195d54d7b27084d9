using Netmap.Native.Abi;
using Netmap.Native.PortNames;

namespace Netmap.Native.Kernel;

/// <summary>Where a port's external memory (@extmem) lives in this process.</summary>
public readonly record struct ExternalMemoryRegion(nint Address, ulong Size);

/// <summary>
/// Encodes the NIOCCTRL requests the way netmap.h lays them out. Pure: nothing here talks to the
/// kernel, so every request can be checked byte by byte.
/// </summary>
public static unsafe class KernelRequests
{
    /// <summary>
    /// NETMAP_REQ_REGISTER for a parsed name: nr_mode, nr_ringid and nr_flags from the name, the
    /// @conf ring and slot counts in the body (0 leaves netmap's default), <paramref name="memoryId"/>
    /// (from @N or @share) in nr_mem_id, and an NETMAP_REQ_OPT_EXTMEM option when the port has external memory.
    /// </summary>
    public static RequestBlock Register(PortSpec spec, ushort memoryId, ExternalMemoryRegion? external = null)
    {
        var block = new RequestBlock(RequestType.Register, spec.RequestName, sizeof(NmReqRegister),
            external is null ? 0 : sizeof(NmReqOptExtmem));
        var body = block.Body<NmReqRegister>();
        body->Mode = (uint)spec.Mode;
        body->RingId = spec.RingId;
        body->Flags = (ulong)spec.Flags;
        body->MemoryId = memoryId;
        if (spec.Config is { } c)
        {
            body->TxRings = Ring16(c.TxRings, "tx_rings", spec);
            body->RxRings = Ring16(c.RxRings, "rx_rings", spec);
            body->HostTxRings = Ring16(c.HostTxRings, "host_tx_rings", spec);
            body->HostRxRings = Ring16(c.HostRxRings, "host_rx_rings", spec);
            body->TxSlots = c.TxSlots ?? 0;
            body->RxSlots = c.RxSlots ?? 0;
        }
        if (external is { } region)
        {
            var option = block.AddOption<NmReqOptExtmem>(RequestOptionType.ExternalMemory);
            option->UserPointer = (ulong)region.Address;
            option->Info.MemorySize = region.Size;
            var pools = spec.ExternalMemory;
            option->Info.InterfacePoolTotal = pools?.InterfaceCount ?? 0;
            option->Info.InterfacePoolObjectSize = pools?.InterfaceSize ?? 0;
            option->Info.RingPoolTotal = pools?.RingCount ?? 0;
            option->Info.RingPoolObjectSize = pools?.RingSize ?? 0;
            option->Info.BufferPoolTotal = pools?.BufferCount ?? 0;
            option->Info.BufferPoolObjectSize = pools?.BufferSize ?? 0;
        }
        return block;
    }

    /// <summary>NETMAP_REQ_PORT_INFO_GET: rings, slots and memory of <paramref name="name"/>; an empty name asks only about allocator <paramref name="memoryId"/>.</summary>
    public static RequestBlock PortInfo(string name, ushort memoryId = 0)
    {
        var block = new RequestBlock(RequestType.PortInfoGet, name, sizeof(NmReqPortInfoGet));
        block.Body<NmReqPortInfoGet>()->MemoryId = memoryId;
        return block;
    }

    /// <summary>NETMAP_REQ_POOLS_INFO_GET: the pools of the allocator of <paramref name="name"/>.</summary>
    public static RequestBlock PoolsInfo(string name, ushort memoryId = 0)
    {
        var block = new RequestBlock(RequestType.PoolsInfoGet, name, sizeof(NmReqPoolsInfo));
        block.Body<NmReqPoolsInfo>()->MemoryId = memoryId;
        return block;
    }

    /// <summary>
    /// NETMAP_REQ_VALE_LIST. With an empty name, a cursor: the kernel returns the first port at or after
    /// (<paramref name="bridge"/>, <paramref name="port"/>) and writes its name into the header. With a
    /// name, the indices of that switch and port.
    /// </summary>
    public static RequestBlock ValeList(string name = "", ushort bridge = 0, uint port = 0)
    {
        var block = new RequestBlock(RequestType.ValeList, name, sizeof(NmReqValeList));
        var body = block.Body<NmReqValeList>();
        body->BridgeIndex = bridge;
        body->PortIndex = port;
        return block;
    }

    /// <summary>NETMAP_REQ_VALE_ATTACH of <c>switch:interface</c>: all NIC rings, and the host rings too with <paramref name="hostStack"/> (vale-ctl -a / -h).</summary>
    public static RequestBlock ValeAttach(string switchPortName, bool hostStack, ushort memoryId = 0)
    {
        var block = new RequestBlock(RequestType.ValeAttach, switchPortName, sizeof(NmReqValeAttach));
        var body = block.Body<NmReqValeAttach>();
        body->Register.Mode = (uint)(hostStack ? RegisterMode.NicAndHost : RegisterMode.AllNic);
        body->Register.MemoryId = memoryId;
        return block;
    }

    /// <summary>NETMAP_REQ_VALE_DETACH of <c>switch:interface</c> (vale-ctl -d).</summary>
    public static RequestBlock ValeDetach(string switchPortName) =>
        new(RequestType.ValeDetach, switchPortName, sizeof(NmReqValeDetach));

    /// <summary>NETMAP_REQ_VALE_NEWIF: a persistent VALE port named <paramref name="name"/> (vale-ctl -n); 0 leaves a default.</summary>
    public static RequestBlock ValeNewInterface(string name, uint txSlots = 0, uint rxSlots = 0, ushort txRings = 0, ushort rxRings = 0, ushort memoryId = 0)
    {
        var block = new RequestBlock(RequestType.ValeNewInterface, name, sizeof(NmReqValeNewIf));
        var body = block.Body<NmReqValeNewIf>();
        body->TxSlots = txSlots;
        body->RxSlots = rxSlots;
        body->TxRings = txRings;
        body->RxRings = rxRings;
        body->MemoryId = memoryId;
        return block;
    }

    /// <summary>NETMAP_REQ_VALE_DELIF: removes the persistent VALE port <paramref name="name"/> (vale-ctl -r). It has no body.</summary>
    public static RequestBlock ValeDeleteInterface(string name) => new(RequestType.ValeDeleteInterface, name, 0);

    private static ushort Ring16(uint? value, string key, PortSpec spec) => value switch
    {
        null => 0,
        <= ushort.MaxValue => (ushort)value.Value,
        _ => throw new NetmapException(NetmapError.InvalidRequest, $"'{spec.Name}': @conf {key}={value} is more rings than netmap can count ({ushort.MaxValue})."),
    };
}
