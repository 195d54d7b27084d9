using System.Runtime.InteropServices;

namespace Netmap.Native.Abi;

/// <summary>Constants of the netmap ABI (sys/net/netmap.h).</summary>
public static class NetmapAbi
{
    /// <summary>NETMAP_API: the API version this module speaks.</summary>
    public const ushort ApiVersion = 14;
    /// <summary>NETMAP_REQ_IFNAMSIZ: room for a port name in a request, NUL included.</summary>
    public const int RequestNameSize = 64;
    /// <summary>NETMAP_RING_MASK: ring indices are below this value.</summary>
    public const int RingMask = 0x0fff;
    /// <summary>The default netmap buffer size.</summary>
    public const int DefaultBufferSize = 2048;
    /// <summary>The default number of slots in a ring.</summary>
    public const int DefaultSlots = 1024;

    /// <summary>NIOCCTRL = _IOWR('i', 151, struct nmreq_header).</summary>
    public const uint NIOCCTRL = (3u << 30) | ((uint)NmReqHeader.Size << 16) | ('i' << 8) | 151;
    /// <summary>NIOCTXSYNC = _IO('i', 148).</summary>
    public const uint NIOCTXSYNC = ('i' << 8) | 148;
    /// <summary>NIOCRXSYNC = _IO('i', 149).</summary>
    public const uint NIOCRXSYNC = ('i' << 8) | 149;
}

/// <summary>NETMAP_REQ_* request types carried in nmreq_header.nr_reqtype.</summary>
public enum RequestType : ushort
{
    Register = 1, PortInfoGet, ValeAttach, ValeDetach, ValeList, PortHeaderSet, PortHeaderGet,
    ValeNewInterface, ValeDeleteInterface, ValePollingEnable, ValePollingDisable, PoolsInfoGet,
    SyncKloopStart, SyncKloopStop, CsbEnable,
}

/// <summary>NETMAP_REQ_OPT_* option types carried in nmreq_option.nro_reqtype.</summary>
public enum RequestOptionType : uint
{
    ExternalMemory = 1, SyncKloopEventFds, Csb, SyncKloopMode, Offsets,
}

/// <summary>struct nmreq_header: every NIOCCTRL request starts with it.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public unsafe struct NmReqHeader
{
    public const int Size = 88;
    [FieldOffset(0)] public ushort Version;
    [FieldOffset(2)] public RequestType RequestType;
    [FieldOffset(4)] public uint Reserved;
    [FieldOffset(8)] public fixed byte Name[NetmapAbi.RequestNameSize];
    [FieldOffset(72)] public ulong Options;
    [FieldOffset(80)] public ulong Body;
}

/// <summary>struct nmreq_option: the header of every request option.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
public struct NmReqOption
{
    [FieldOffset(0)] public ulong Next;
    [FieldOffset(8)] public RequestOptionType Type;
    [FieldOffset(12)] public uint Status;
    [FieldOffset(16)] public ulong Size;
}

/// <summary>struct nmreq_register: the body of NETMAP_REQ_REGISTER.</summary>
[StructLayout(LayoutKind.Explicit, Size = 56)]
public struct NmReqRegister
{
    [FieldOffset(0)] public ulong Offset;
    [FieldOffset(8)] public ulong MemorySize;
    [FieldOffset(16)] public uint TxSlots;
    [FieldOffset(20)] public uint RxSlots;
    [FieldOffset(24)] public ushort TxRings;
    [FieldOffset(26)] public ushort RxRings;
    [FieldOffset(28)] public ushort HostTxRings;
    [FieldOffset(30)] public ushort HostRxRings;
    [FieldOffset(32)] public ushort MemoryId;
    [FieldOffset(34)] public ushort RingId;
    [FieldOffset(36)] public uint Mode;
    [FieldOffset(40)] public uint ExtraBuffers;
    [FieldOffset(48)] public ulong Flags;
}
