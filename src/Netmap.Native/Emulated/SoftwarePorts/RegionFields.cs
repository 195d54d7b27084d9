using Netmap.Native.Abi;

namespace Netmap.Native.Emulated;

/// <summary>
/// Where the shared fields of one port of a region file lie (byte offsets in the file), read from the
/// file's header and port table without mapping it: for tools that inspect a region, and for the tests that play
/// another process writing into one. Null when the file holds no valid region.
/// </summary>
public static unsafe class RegionFields
{
    /// <param name="portName">The port as the region names it: "p{1" or "p}1" for pipe ends, "a" for a switch port.</param>
    public static IReadOnlyDictionary<string, long>? Offsets(string regionPath, string portName)
    {
        byte[] head;
        long size;
        using (var file = File.OpenRead(regionPath))
        {
            size = file.Length;
            head = new byte[Math.Min(size, 1 << 20)];
            file.ReadExactly(head);
        }
        if (size < sizeof(RegionHeader)) return null;
        RegionGeometry? geometry;
        fixed (byte* h = head) geometry = RegionLayout.ReadGeometry(h, size);
        if (geometry is null) return null;
        var layout = new RegionLayout(geometry);
        if (layout.PortsOffset + geometry.PortCapacity * sizeof(PortEntry) > head.Length) return null;
        uint port = uint.MaxValue;
        fixed (byte* h = head)
            for (uint p = 0; p < geometry.PortCapacity && port == uint.MaxValue; p++)
            {
                var entry = layout.Port(h, p);
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
