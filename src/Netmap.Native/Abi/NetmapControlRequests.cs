using System.Runtime.InteropServices;

namespace Netmap.Native.Abi;

/// <summary>struct nmreq_port_info_get: the body of NETMAP_REQ_PORT_INFO_GET (rings and memory of a port, without registering).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
public struct NmReqPortInfoGet
{
    [FieldOffset(0)] public ulong MemorySize;
    [FieldOffset(8)] public uint TxSlots;
    [FieldOffset(12)] public uint RxSlots;
    [FieldOffset(16)] public ushort TxRings;
    [FieldOffset(18)] public ushort RxRings;
    [FieldOffset(20)] public ushort HostTxRings;
    [FieldOffset(22)] public ushort HostRxRings;
    /// <summary>In: the allocator to ask about when the name is empty (0 means 1). Out: the port's allocator.</summary>
    [FieldOffset(24)] public ushort MemoryId;
}

/// <summary>struct nmreq_vale_attach: the body of NETMAP_REQ_VALE_ATTACH (a register body, then the port index the switch gave).</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
public struct NmReqValeAttach
{
    [FieldOffset(0)] public NmReqRegister Register;
    [FieldOffset(56)] public uint PortIndex;
}

/// <summary>struct nmreq_vale_detach: the body of NETMAP_REQ_VALE_DETACH.</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
public struct NmReqValeDetach
{
    [FieldOffset(0)] public uint PortIndex;
}

/// <summary>struct nmreq_vale_list: the body of NETMAP_REQ_VALE_LIST (a cursor over switches and their ports).</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
public struct NmReqValeList
{
    [FieldOffset(0)] public ushort BridgeIndex;
    [FieldOffset(4)] public uint PortIndex;
}

/// <summary>struct nmreq_vale_newif: the body of NETMAP_REQ_VALE_NEWIF (a persistent VALE port).</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
public struct NmReqValeNewIf
{
    [FieldOffset(0)] public uint TxSlots;
    [FieldOffset(4)] public uint RxSlots;
    [FieldOffset(8)] public ushort TxRings;
    [FieldOffset(10)] public ushort RxRings;
    [FieldOffset(12)] public ushort MemoryId;
}

/// <summary>struct nmreq_pools_info: the three pools (interfaces, rings, buffers) of a memory allocator.</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
public struct NmReqPoolsInfo
{
    [FieldOffset(0)] public ulong MemorySize;
    [FieldOffset(8)] public ushort MemoryId;
    [FieldOffset(16)] public ulong InterfacePoolOffset;
    [FieldOffset(24)] public uint InterfacePoolTotal;
    [FieldOffset(28)] public uint InterfacePoolObjectSize;
    [FieldOffset(32)] public ulong RingPoolOffset;
    [FieldOffset(40)] public uint RingPoolTotal;
    [FieldOffset(44)] public uint RingPoolObjectSize;
    [FieldOffset(48)] public ulong BufferPoolOffset;
    [FieldOffset(56)] public uint BufferPoolTotal;
    [FieldOffset(60)] public uint BufferPoolObjectSize;
}

/// <summary>struct nmreq_opt_extmem: NETMAP_REQ_OPT_EXTMEM, memory of the caller's to build the rings and buffers in.</summary>
[StructLayout(LayoutKind.Explicit, Size = 96)]
public struct NmReqOptExtmem
{
    [FieldOffset(0)] public NmReqOption Option;
    /// <summary>Address of the caller's memory.</summary>
    [FieldOffset(24)] public ulong UserPointer;
    /// <summary>In: the region's size and the pool shapes wanted (0 for the defaults). Out: what the kernel made of them.</summary>
    [FieldOffset(32)] public NmReqPoolsInfo Info;
}
