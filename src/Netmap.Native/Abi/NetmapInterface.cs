using System.Runtime.InteropServices;

namespace Netmap.Native.Abi;

/// <summary>
/// struct netmap_if (sys/net/netmap.h, API 14): lists the rings of a port. ring_ofs[] follows the
/// 56-byte header, offsets relative to this struct, in the order NIC TX, host TX, NIC RX, host RX.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = HeaderSize)]
public unsafe struct NetmapInterface
{
    public const int HeaderSize = 56;
    /// <summary>IFNAMSIZ.</summary>
    public const int NameSize = 16;

    [FieldOffset(0)] public fixed byte Name[NameSize];
    [FieldOffset(16)] public uint Version;
    /// <summary>NI_PRIV_MEM (0x1): private memory region.</summary>
    [FieldOffset(20)] public uint Flags;
    [FieldOffset(24)] public uint TxRings;
    [FieldOffset(28)] public uint RxRings;
    [FieldOffset(32)] public uint ExtraBuffersHead;
    [FieldOffset(36)] public uint HostTxRings;
    [FieldOffset(40)] public uint HostRxRings;
    [FieldOffset(44)] public fixed uint Spare[3];

    /// <summary>ring_ofs[index] (ssize_t).</summary>
    public static long* RingOffsets(NetmapInterface* nifp) => (long*)((byte*)nifp + HeaderSize);

    /// <summary>Total rings listed: NIC and host, TX and RX.</summary>
    public static uint RingCount(NetmapInterface* nifp) =>
        nifp->TxRings + nifp->HostTxRings + nifp->RxRings + nifp->HostRxRings;

    /// <summary>NETMAP_TXRING: TX ring <paramref name="index"/> (host TX rings follow the NIC ones).</summary>
    public static NetmapRing* TxRing(NetmapInterface* nifp, uint index) =>
        (NetmapRing*)((byte*)nifp + RingOffsets(nifp)[index]);

    /// <summary>NETMAP_RXRING: RX ring <paramref name="index"/> (host RX rings follow the NIC ones).</summary>
    public static NetmapRing* RxRing(NetmapInterface* nifp, uint index) =>
        (NetmapRing*)((byte*)nifp + RingOffsets(nifp)[index + nifp->TxRings + nifp->HostTxRings]);

    /// <summary>Bytes taken by a netmap_if listing <paramref name="rings"/> rings.</summary>
    public static long SizeFor(uint rings) => HeaderSize + rings * (long)sizeof(long);

    public static string GetName(NetmapInterface* nifp)
    {
        var span = new ReadOnlySpan<byte>(nifp->Name, NameSize);
        int end = span.IndexOf((byte)0);
        return System.Text.Encoding.ASCII.GetString(end < 0 ? span : span[..end]);
    }
}
