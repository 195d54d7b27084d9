using System.Runtime.InteropServices;

namespace Netmap.Native.Abi;

/// <summary>
/// struct netmap_ring (sys/net/netmap.h, API 14). The slots follow the 256-byte header.
/// The user owns the slots in [Head, Tail); a sync hands them back and forth.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = HeaderSize)]
public unsafe struct NetmapRing
{
    /// <summary>Size of the ring header; slot 0 starts here.</summary>
    public const int HeaderSize = 256;

    /// <summary>Offset of the buffer pool from this ring header (may be negative).</summary>
    [FieldOffset(0)] public long BufferOffset;
    [FieldOffset(8)] public uint NumSlots;
    [FieldOffset(12)] public uint BufferSize;
    [FieldOffset(16)] public ushort RingId;
    /// <summary>0 for TX, 1 for RX.</summary>
    [FieldOffset(18)] public ushort Direction;
    /// <summary>First slot owned by the user (u).</summary>
    [FieldOffset(20)] public uint Head;
    /// <summary>Wake-up point (u).</summary>
    [FieldOffset(24)] public uint Cur;
    /// <summary>First slot owned by the kernel (k); read-only for the user.</summary>
    [FieldOffset(28)] public uint Tail;
    /// <summary>NR_TIMESTAMP, NR_FORWARD.</summary>
    [FieldOffset(32)] public RingFlags Flags;
    /// <summary>struct timeval of the last sync: seconds.</summary>
    [FieldOffset(40)] public long TimestampSeconds;
    /// <summary>struct timeval of the last sync: microseconds.</summary>
    [FieldOffset(48)] public long TimestampMicroseconds;
    [FieldOffset(56)] public ulong OffsetMask;
    [FieldOffset(64)] public ulong BufferAlignment;
    /// <summary>Opaque room (sem[128], 128-byte aligned).</summary>
    [FieldOffset(128)] public fixed byte Semaphore[128];

    /// <summary>Slot <paramref name="index"/> of the ring at <paramref name="ring"/>.</summary>
    public static NetmapSlot* Slot(NetmapRing* ring, uint index) =>
        (NetmapSlot*)((byte*)ring + HeaderSize) + index;

    /// <summary>NETMAP_BUF: the address of buffer <paramref name="bufferIndex"/>.</summary>
    public static byte* Buffer(NetmapRing* ring, uint bufferIndex) =>
        (byte*)ring + ring->BufferOffset + (long)bufferIndex * ring->BufferSize;

    /// <summary>Bytes taken by a ring of <paramref name="slots"/> slots.</summary>
    public static long SizeFor(uint slots) => HeaderSize + (long)slots * sizeof(NetmapSlot);
}

/// <summary>Ring flags (netmap_ring.flags).</summary>
[Flags]
public enum RingFlags : uint
{
    None = 0,
    /// <summary>NR_TIMESTAMP: set the timestamp on every sync.</summary>
    Timestamp = 0x0002,
    /// <summary>NR_FORWARD: honour NS_FORWARD on this ring.</summary>
    Forward = 0x0004,
}
