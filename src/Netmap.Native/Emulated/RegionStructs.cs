using System.Runtime.InteropServices;

namespace Netmap.Native.Emulated;

/// <summary>What a shared region holds.</summary>
internal enum RegionKind : uint { Pipe = 1, ValeSwitch = 2, Interface = 3 }

/// <summary>The first bytes of a region file: what it is and how it is laid out.</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct RegionHeader
{
    public const ulong MagicValue = 0x3147455253504D4E; // "NMPSREG1"
    public const uint LayoutVersion = 4;

    [FieldOffset(0)] public ulong Magic;
    [FieldOffset(8)] public uint Version;
    [FieldOffset(12)] public RegionKind Kind;
    [FieldOffset(16)] public long TotalSize;
    [FieldOffset(24)] public uint PortCapacity;
    [FieldOffset(28)] public uint TxRingsPerPort;
    [FieldOffset(32)] public uint RxRingsPerPort;
    [FieldOffset(36)] public uint Slots;
    [FieldOffset(40)] public uint BufferSize;
    [FieldOffset(44)] public ushort MemoryId;
    /// <summary>Set last, once everything else is initialised.</summary>
    [FieldOffset(48)] public int Ready;
    /// <summary>Spin lock of the switch's learning table (pid of the holder).</summary>
    [FieldOffset(52)] public int TableLock;
    /// <summary>The last this-many ports of the region are monitor ports.</summary>
    [FieldOffset(56)] public uint MonitorPorts;
    /// <summary>A random number the region file's anchor repeats: the segment is the one the file names, not another.</summary>
    [FieldOffset(64)] public ulong Nonce;
}

/// <summary>One open port of one process: its liveness is the OFD lock on byte <c>HolderLockBase + index</c> of the file.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct HolderEntry
{
    [FieldOffset(0)] public int InUse;
    [FieldOffset(4)] public int Pid;
    [FieldOffset(8)] public int Port;
}

/// <summary>A port of the region: a pipe end or a VALE switch port.</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal unsafe struct PortEntry
{
    public const int NameSize = 64;
    [FieldOffset(0)] public int InUse;
    [FieldOffset(8)] public fixed byte Name[NameSize];
    /// <summary>Signalled when packets arrive on the port's RX rings.</summary>
    [FieldOffset(72)] public SharedEvent RxEvent;
    /// <summary>Signalled when the peer releases RX slots, so a blocked transmitter can go on.</summary>
    [FieldOffset(80)] public SharedEvent TxEvent;
    /// <summary>Packets the switch dropped because this port's RX ring was full.</summary>
    [FieldOffset(88)] public long RxDropped;
    /// <summary>Packets this port transmitted that were dropped as malformed (bad length or buffer).</summary>
    [FieldOffset(96)] public long TxErrors;
    /// <summary>For a monitor port: index + 1 of the port it watches; 0 for an ordinary port.</summary>
    [FieldOffset(104)] public int MonitorOf;
    /// <summary>For a monitor port: 1 = what the watched port receives, 2 = what it transmits.</summary>
    [FieldOffset(108)] public int MonitorFlags;
    /// <summary>How many times an open port has registered rings of this port: a pipe end learns from it that its peer came (and went).</summary>
    [FieldOffset(112)] public int Opens;
    /// <summary>A switch port that bridges an interface (Add-NetmapValePort): 1 = its NIC rings, 2 = its host stack; 0 for an ordinary port.</summary>
    [FieldOffset(116)] public int AttachedInterface;
    /// <summary>Set by another process's Remove-NetmapValePort: the process that bridges the interface detaches it.</summary>
    [FieldOffset(120)] public int DetachRequested;
}

/// <summary>
/// The kernel-private state of one ring (netmap's kring): what the user cannot see in netmap_ring.
/// What the ring's consumer writes and what its producer writes lie on cache lines of their own (as
/// the C reference keeps hwcur and hwtail apart): otherwise every sync of one side would take the
/// line from the other core.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct KringState
{
    /// <summary>First slot not yet processed by a sync (nr_hwcur); for an RX ring, written by its consumer.</summary>
    [FieldOffset(0)] public uint HwCur;
    /// <summary>Holder index + 1 of the open port that holds this ring; 0 when free.</summary>
    [FieldOffset(8)] public int Owner;
    /// <summary>The tail last published to the user of an RX ring (netmap's rtail), to check the user's head against.</summary>
    [FieldOffset(16)] public uint UserTail;
    /// <summary>First slot owned by the kernel side (nr_hwtail); for an RX ring, written by its producers.</summary>
    [FieldOffset(64)] public uint HwTail;
    /// <summary>Spin lock for producers that write into this RX ring (holder index + 1 of the one in it).</summary>
    [FieldOffset(68)] public int ProducerLock;
}
