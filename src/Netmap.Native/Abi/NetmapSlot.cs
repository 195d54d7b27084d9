using System.Runtime.InteropServices;

namespace Netmap.Native.Abi;

/// <summary>struct netmap_slot (sys/net/netmap.h, API 14): one buffer descriptor of a ring.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
public struct NetmapSlot
{
    /// <summary>Index of the packet buffer in the region's buffer pool.</summary>
    [FieldOffset(0)] public uint BufferIndex;
    /// <summary>Bytes of the frame held in the buffer.</summary>
    [FieldOffset(4)] public ushort Length;
    /// <summary>NS_* flags.</summary>
    [FieldOffset(6)] public SlotFlags Flags;
    /// <summary>Pointer for indirect buffers, or the buffer offset when offsets are enabled.</summary>
    [FieldOffset(8)] public ulong Pointer;
}

/// <summary>NS_* slot flags.</summary>
[Flags]
public enum SlotFlags : ushort
{
    None = 0,
    /// <summary>NS_BUF_CHANGED: the slot's buf_idx was changed by its user (zero-copy swap).</summary>
    BufferChanged = 0x0001,
    /// <summary>NS_REPORT: ask for a completion report.</summary>
    Report = 0x0002,
    /// <summary>NS_FORWARD: pass the packet to the other side (host or NIC).</summary>
    Forward = 0x0004,
    /// <summary>NS_NO_LEARN: a VALE switch must not learn the source address.</summary>
    NoLearn = 0x0008,
    /// <summary>NS_INDIRECT: the data is at Pointer, not in the buffer.</summary>
    Indirect = 0x0010,
    /// <summary>NS_MOREFRAG: the packet continues in the next slot.</summary>
    MoreFragments = 0x0020,
    /// <summary>NS_TXMON: a TX monitor copy.</summary>
    TxMonitor = 0x0040,
}
