using Netmap.Native.Abi;
using Netmap.Native.Rings;

namespace Netmap.Native.Emulated;

/// <summary>The shape of a region: how many ports, rings per port, slots per ring and bytes per buffer.</summary>
/// <remarks>
/// TX and RX ring counts include <see cref="HostRings"/> host rings each, listed after the NIC rings.
/// <see cref="ExtraBuffers"/> follow the ring buffers in the pool (fill buffers of an AF_XDP UMEM).
/// The pool starts <see cref="BufferLead"/> bytes past a page boundary (an AF_XDP UMEM whose chunks
/// begin that far before the buffers: the kernel writes a received frame there into its chunk).
/// </remarks>
internal sealed record RegionGeometry(RegionKind Kind, uint PortCapacity, uint TxRingsPerPort, uint RxRingsPerPort, uint Slots, uint BufferSize,
    uint HostRings = 0, uint ExtraBuffers = 0, uint MonitorPorts = 0, uint BufferLead = 0)
{
    /// <summary>Ports 0 to this - 1 are ordinary; the rest are monitor ports.</summary>
    public uint FirstMonitorPort => PortCapacity - MonitorPorts;
    public uint RingsPerPort => TxRingsPerPort + RxRingsPerPort;
    public uint RingCount => PortCapacity * RingsPerPort;
    /// <summary>First buffer index after those of the rings' slots.</summary>
    public uint FirstExtraBuffer => RingCount * Slots + 2;
    /// <summary>One buffer per slot, buffers 0 and 1 which netmap keeps reserved, and the extra buffers.</summary>
    public uint BufferCount => FirstExtraBuffer + ExtraBuffers;
}

/// <summary>
/// Where everything of a region lives, as offsets from its base. The file is:
/// header, holder table, switch learning table, port table, kring states, one netmap_if per port,
/// the netmap rings, and the buffer pool.
/// </summary>
internal sealed unsafe class RegionLayout
{
    public const int MaxHolders = 64;
    public const int LearningTableSize = 1024;
    /// <summary>Byte 0 of the file is the admin lock; bytes from here are holder locks.</summary>
    public const long HolderLockBase = 1;

    private const int Page = 4096;

    public RegionLayout(RegionGeometry geometry)
    {
        Geometry = geometry;
        HoldersOffset = sizeof(RegionHeader);
        LearningTableOffset = Align(HoldersOffset + MaxHolders * sizeof(HolderEntry), 64);
        PortsOffset = Align(LearningTableOffset + LearningTableSize * sizeof(ulong), 64);
        KringsOffset = Align(PortsOffset + geometry.PortCapacity * sizeof(PortEntry), 64);
        InterfacesOffset = Align(KringsOffset + geometry.RingCount * sizeof(KringState), 64);
        InterfaceStride = Align(NetmapInterface.SizeFor(geometry.RingsPerPort), 64);
        RingsOffset = Align(InterfacesOffset + geometry.PortCapacity * InterfaceStride, Page);
        RingStride = Align(NetmapRing.SizeFor(geometry.Slots), 64);
        BuffersOffset = Align(RingsOffset + geometry.RingCount * RingStride, Page) + geometry.BufferLead;
        TotalSize = Align(BuffersOffset + (long)geometry.BufferCount * geometry.BufferSize, Page);
    }

    public RegionGeometry Geometry { get; }
    public long HoldersOffset { get; }
    public long LearningTableOffset { get; }
    public long PortsOffset { get; }
    public long KringsOffset { get; }
    public long InterfacesOffset { get; }
    public long InterfaceStride { get; }
    public long RingsOffset { get; }
    public long RingStride { get; }
    public long BuffersOffset { get; }
    public long TotalSize { get; }

    /// <summary>Index of a port's ring among all rings: TX rings first, then RX rings.</summary>
    public uint RingIndex(uint port, bool tx, uint ring) =>
        port * Geometry.RingsPerPort + (tx ? ring : Geometry.TxRingsPerPort + ring);

    public long InterfaceOffset(uint port) => InterfacesOffset + port * InterfaceStride;
    public long RingOffset(uint ringIndex) => RingsOffset + ringIndex * RingStride;

    public static RegionHeader* Header(byte* b) => (RegionHeader*)b;
    public HolderEntry* Holder(byte* b, int i) => (HolderEntry*)(b + HoldersOffset) + i;
    public ulong* LearningTable(byte* b) => (ulong*)(b + LearningTableOffset);
    public PortEntry* Port(byte* b, uint port) => (PortEntry*)(b + PortsOffset) + port;
    public KringState* Kring(byte* b, uint ringIndex) => (KringState*)(b + KringsOffset) + ringIndex;
    public NetmapInterface* Interface(byte* b, uint port) => (NetmapInterface*)(b + InterfaceOffset(port));
    public NetmapRing* Ring(byte* b, uint ringIndex) => (NetmapRing*)(b + RingOffset(ringIndex));

    /// <summary>
    /// netmap's poll condition for <paramref name="port"/>: some ring of <paramref name="span"/> has a slot
    /// past cur, that is packets to read or room to fill. The rings are found by this layout, never by
    /// the ring offsets in the netmap_if (which another process can write).
    /// </summary>
    public bool AnyPastCur(byte* b, uint port, Ports.RingSpan span, bool tx)
    {
        for (uint r = span.First; r < span.End; r++)
        {
            var ring = Ring(b, RingIndex(port, tx, r));
            if (Volatile.Read(ref ring->Cur) != Volatile.Read(ref ring->Tail)) return true;
        }
        return false;
    }

    /// <summary>Buffer <paramref name="index"/> of the pool (the caller has checked that the region has it).</summary>
    public byte* Buffer(byte* b, uint index) => b + BuffersOffset + (long)index * Geometry.BufferSize;

    /// <summary>
    /// Ring <paramref name="ringIndex"/> with the shape this layout gives it (slots, buffer size, the
    /// pool), never the copies in the ring header that other processes can write.
    /// </summary>
    public RingView View(byte* b, uint ringIndex, string port)
    {
        uint r = ringIndex % Geometry.RingsPerPort;
        bool tx = r < Geometry.TxRingsPerPort;
        return new RingView(Ring(b, ringIndex), Geometry.Slots, Geometry.BufferSize, b + BuffersOffset, Geometry.BufferCount,
            port, tx, tx ? r : r - Geometry.TxRingsPerPort);
    }

    /// <summary>Writes a fresh region: header, netmap_if of every port, rings with their buffers.</summary>
    public void Initialise(byte* b, ushort memoryId)
    {
        var g = Geometry;
        var h = Header(b);
        h->Magic = RegionHeader.MagicValue;
        h->Version = RegionHeader.LayoutVersion;
        h->Kind = g.Kind;
        h->TotalSize = TotalSize;
        h->PortCapacity = g.PortCapacity;
        h->TxRingsPerPort = g.TxRingsPerPort;
        h->RxRingsPerPort = g.RxRingsPerPort;
        h->Slots = g.Slots;
        h->BufferSize = g.BufferSize;
        h->MemoryId = memoryId;
        h->MonitorPorts = g.MonitorPorts;

        uint nextBuffer = 2;
        for (uint port = 0; port < g.PortCapacity; port++)
        {
            var nifp = Interface(b, port);
            nifp->Version = NetmapAbi.ApiVersion;
            nifp->TxRings = g.TxRingsPerPort - g.HostRings;
            nifp->RxRings = g.RxRingsPerPort - g.HostRings;
            nifp->HostTxRings = g.HostRings;
            nifp->HostRxRings = g.HostRings;
            var ringOffsets = NetmapInterface.RingOffsets(nifp);
            for (uint r = 0; r < g.RingsPerPort; r++)
            {
                uint index = port * g.RingsPerPort + r;
                ringOffsets[r] = RingOffset(index) - InterfaceOffset(port);
                bool tx = r < g.TxRingsPerPort;
                var ring = Ring(b, index);
                *(long*)&ring->BufferOffset = BuffersOffset - RingOffset(index);
                ring->NumSlots = g.Slots;
                ring->BufferSize = g.BufferSize;
                uint inDirection = tx ? r : r - g.TxRingsPerPort;
                uint nicRings = (tx ? g.TxRingsPerPort : g.RxRingsPerPort) - g.HostRings;
                ring->RingId = (ushort)(inDirection < nicRings ? inDirection : inDirection - nicRings);
                ring->Direction = (ushort)(tx ? 0 : 1);
                for (uint s = 0; s < g.Slots; s++)
                    NetmapRing.Slot(ring, s)->BufferIndex = nextBuffer++;
            }
            ResetRings(b, port);
        }
        Volatile.Write(ref h->Ready, 1);
    }

    /// <summary>Puts a port's rings in their initial state: TX rings empty with slots-1 free, RX rings empty.</summary>
    public void ResetRings(byte* b, uint port)
    {
        for (uint r = 0; r < Geometry.RingsPerPort; r++)
        {
            uint index = port * Geometry.RingsPerPort + r;
            bool tx = r < Geometry.TxRingsPerPort;
            var ring = Ring(b, index);
            var k = Kring(b, index);
            uint tail = tx ? Geometry.Slots - 1 : 0;
            ring->Head = ring->Cur = 0;
            ring->Tail = tail;
            k->HwCur = 0;
            k->HwTail = tail;
            k->UserTail = tail;
        }
    }

    /// <summary>Checks that a header describes this very layout and a file of this size.</summary>
    public static RegionGeometry? ReadGeometry(byte* b, long fileSize)
    {
        var h = Header(b);
        if (h->Magic != RegionHeader.MagicValue || h->Version != RegionHeader.LayoutVersion) return null;
        if (h->Slots is < 2 or > 65536 || h->BufferSize is < 64 or > 65536 || h->PortCapacity is 0 or > 254) return null;
        if (h->TxRingsPerPort > 64 || h->RxRingsPerPort > 64) return null;
        if (h->MonitorPorts >= h->PortCapacity) return null;
        var g = new RegionGeometry(h->Kind, h->PortCapacity, h->TxRingsPerPort, h->RxRingsPerPort, h->Slots, h->BufferSize, MonitorPorts: h->MonitorPorts);
        return new RegionLayout(g).TotalSize == h->TotalSize && h->TotalSize <= fileSize ? g : null;
    }

    private static long Align(long value, long to) => (value + to - 1) / to * to;
}
