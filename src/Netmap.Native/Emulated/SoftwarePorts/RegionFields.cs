using Netmap.Native.Abi;
using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>
/// Where the shared fields of one port of a region lie (byte offsets in its shared memory), and a way
/// to write there as any other process of the user could: for tools that inspect a region, and for
/// the tests that play such a process. Null or false when the file names no valid region.
/// </summary>
public static unsafe class RegionFields
{
    /// <param name="portName">The port as the region names it: "p{1" or "p}1" for pipe ends, "a" for a switch port.</param>
    public static IReadOnlyDictionary<string, long>? Offsets(string regionPath, string portName)
    {
        int fd = LibC.OpenOwnRegularFile(regionPath, out _);
        if (fd < 0) return null;
        try
        {
            if (RegionSegment.MapForReading(fd) is not var (address, _, geometry)) return null;
            try
            {
                return Offsets(new RegionLayout(geometry), (byte*)address, portName);
            }
            finally
            {
                RegionSegment.Unmap(address);
            }
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="offset"/> of the region's memory (clipped to it); false when the file names no region.</summary>
    public static bool Write(string regionPath, long offset, byte[] bytes)
    {
        int fd = LibC.OpenOwnRegularFile(regionPath, out _);
        if (fd < 0) return false;
        try
        {
            if (RegionSegment.ReadAnchor(fd) is not { } anchor || RegionSegment.Attach(anchor, readOnly: false) is var address && address == -1)
                return false;
            try
            {
                if (offset < 0 || offset >= anchor.Size) return false;
                int length = (int)Math.Min(bytes.Length, anchor.Size - offset);
                bytes.AsSpan(0, length).CopyTo(new Span<byte>((byte*)address + offset, length));
                return true;
            }
            finally
            {
                RegionSegment.Unmap(address);
            }
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    private static IReadOnlyDictionary<string, long>? Offsets(RegionLayout layout, byte* head, string portName)
    {
        var geometry = layout.Geometry;
        uint port = uint.MaxValue;
        for (uint p = 0; p < geometry.PortCapacity && port == uint.MaxValue; p++)
        {
            var entry = layout.Port(head, p);
            var name = new ReadOnlySpan<byte>(entry->Name, PortEntry.NameSize);
            int end = name.IndexOf((byte)0);
            if (entry->InUse != 0 && System.Text.Encoding.UTF8.GetString(end < 0 ? name : name[..end]) == portName) port = p;
        }
        if (port == uint.MaxValue) return null;
        uint tx = layout.RingIndex(port, tx: true, 0), rx = layout.RingIndex(port, tx: false, 0);
        long kring(uint ring, string field) => layout.KringsOffset + ring * sizeof(KringState) +
            System.Runtime.InteropServices.Marshal.OffsetOf<KringState>(field).ToInt64();
        long ring(uint index, string field) => layout.RingOffset(index) + System.Runtime.InteropServices.Marshal.OffsetOf<NetmapRing>(field).ToInt64();
        return new Dictionary<string, long>
        {
            ["tx.hwcur"] = kring(tx, nameof(KringState.HwCur)),
            ["tx.hwtail"] = kring(tx, nameof(KringState.HwTail)),
            ["rx.hwcur"] = kring(rx, nameof(KringState.HwCur)),
            ["rx.hwtail"] = kring(rx, nameof(KringState.HwTail)),
            ["rx.owner"] = kring(rx, nameof(KringState.Owner)),
            ["rx.producer_lock"] = kring(rx, nameof(KringState.ProducerLock)),
            ["tx.ring"] = layout.RingOffset(tx),
            ["rx.ring"] = layout.RingOffset(rx),
            ["rx.num_slots"] = ring(rx, nameof(NetmapRing.NumSlots)),
            ["rx.buf_ofs"] = ring(rx, nameof(NetmapRing.BufferOffset)),
            ["rx.slots"] = layout.RingOffset(rx) + NetmapRing.HeaderSize,
            ["tx.slots"] = layout.RingOffset(tx) + NetmapRing.HeaderSize,
            ["slot.size"] = sizeof(NetmapSlot),
            ["slot.count"] = geometry.Slots,
            ["kring.size"] = sizeof(KringState),
            ["size"] = layout.TotalSize,
        };
    }
}
