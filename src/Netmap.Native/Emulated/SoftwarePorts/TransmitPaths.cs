using System.Buffers.Binary;
using Netmap.Native.Abi;
using Netmap.Native.Rings;

namespace Netmap.Native.Emulated;

/// <summary>Where the packets of a TX ring go when its port syncs.</summary>
internal unsafe interface ITransmitPath
{
    /// <summary>Moves slots [from, to) of TX ring <paramref name="ring"/> of <paramref name="port"/>; returns how many left the ring.</summary>
    uint Transmit(uint port, RingView ring, uint from, uint to);

    /// <summary>The port released RX slots: a transmitter waiting for room may go on.</summary>
    void SlotsReleased(uint port);

    /// <summary>
    /// What the last <see cref="Transmit"/> found damaged in a ring of another port, which stopped it there (the
    /// frames before it were moved); null when nothing. Taking it clears it.
    /// </summary>
    NetmapException? TakeDamage() => null;
}

/// <summary>
/// A netmap pipe: TX ring r of one end (port 2k or 2k+1) feeds RX ring r of the other. Buffers are swapped, not copied
/// (both ends live in one region), and both slots are marked NS_BUF_CHANGED. When the receiving ring
/// is full the rest stays pending in the TX ring until room appears.
/// </summary>
internal sealed unsafe class PipeTransmitPath(SharedRegion region) : ITransmitPath
{
    private readonly RegionLayout _layout = region.Layout;
    private readonly MonitorTaps _taps = new(region);

    public uint Transmit(uint port, RingView ring, uint from, uint to)
    {
        byte* b = region.Base;
        uint r = ring.Number, peer = port ^ 1, slots = ring.Slots;
        uint destIndex = _layout.RingIndex(peer, tx: false, r);
        var dest = _layout.View(b, destIndex, ring.Port);
        var dk = _layout.Kring(b, destIndex);
        // The peer's kring is written by the peer's process: both indices are checked before use.
        uint destTail = dest.Index(dk->HwTail, "hwtail of the peer's RX ring");
        uint destCur = dest.Index(Volatile.Read(ref dk->HwCur), "hwcur of the peer's RX ring");
        uint room = RingMath.Distance(destTail, RingMath.Previous(destCur, slots), slots);
        uint pending = RingMath.Distance(from, to, slots);
        if (room == 0) return 0; // the peer's ring is full: all stays pending, and a waiting sender pays nothing more
        uint buffers = _layout.Geometry.BufferCount, bufferSize = _layout.Geometry.BufferSize;
        uint taken = 0, delivered = 0;
        _taps.Refresh();
        bool taps = _taps.Any;
        // from, to, destTail and destCur were checked; stepping with wrap-around keeps i and destTail below slots.
        NetmapSlot* txSlots = ring.Slot(0), rxSlots = dest.Slot(0);
        for (uint i = from; taken < pending && delivered < room; i = i + 1 == slots ? 0 : i + 1, taken++)
        {
            var ts = txSlots + i;
            var ds = rxSlots + destTail;
            uint txBuffer = ts->BufferIndex, rxBuffer = ds->BufferIndex;
            ushort length = ts->Length;
            if (!RingChecks.IsRegionBuffer(rxBuffer, buffers))
            {
                // The peer's slot was damaged (by its user, or by any process of the user): nothing more goes
                // into that ring, and this sender is told, rather than dropping every frame from here on unseen.
                _damage = new NetmapException(NetmapError.Corrupted,
                    $"RX ring {r} of the other end of '{ring.Port}' is damaged: slot {destTail} holds buffer {rxBuffer}, outside the region's buffers 2 to {buffers - 1}. " +
                    "The frames from here on stay in this TX ring until that end closes.") { Field = "buffer index", Value = rxBuffer };
                break;
            }
            if (!RingChecks.IsRegionBuffer(txBuffer, buffers) || length > bufferSize)
            {
                Interlocked.Increment(ref _layout.Port(b, port)->TxErrors);
                continue;
            }
            if (taps)
            {
                byte* frame = ring.Buffer(txBuffer);
                _taps.Copy(port, MonitorTaps.Transmitted, r, frame, length);
                _taps.Copy(peer, MonitorTaps.Received, r, frame, length);
            }
            ds->BufferIndex = txBuffer;
            ds->Length = length;
            ds->Flags = SlotFlags.BufferChanged | (ts->Flags & SlotFlags.MoreFragments);
            ts->BufferIndex = rxBuffer;
            ts->Flags = SlotFlags.BufferChanged;
            destTail = destTail + 1 == slots ? 0 : destTail + 1;
            delivered++;
        }
        if (delivered > 0)
        {
            Volatile.Write(ref dk->HwTail, destTail);
            SharedEvent.Signal(&_layout.Port(b, peer)->RxEvent);
        }
        _taps.Wake();
        return taken;
    }

    public void SlotsReleased(uint port) => SharedEvent.Signal(&_layout.Port(region.Base, port ^ 1)->TxEvent);

    private NetmapException? _damage;

    public NetmapException? TakeDamage()
    {
        var damage = _damage;
        _damage = null;
        return damage;
    }
}

/// <summary>
/// A VALE learning switch: each frame's source MAC is learned for the sending port; a frame goes to
/// the port its destination was learned on, or to every other port when the destination is
/// broadcast, multicast or unknown. Frames are copied; a full receiving ring drops (and counts) them,
/// so a sender never waits.
/// </summary>
internal sealed unsafe class ValeTransmitPath(SharedRegion region) : ITransmitPath
{
    private const int EthernetHeader = 14;
    private readonly RegionLayout _layout = region.Layout;
    private readonly MonitorTaps _taps = new(region);

    /// <summary>
    /// The frames of a batch by destination, as lists of positions in the batch (0 for the slot at
    /// from): for each position, the next one with the same destination (or -1); for each port, and
    /// for the frames that flood, the first and last position. The lists are in ring order.
    /// </summary>
    private readonly int[] _nextSame = new int[region.Layout.Geometry.Slots];
    private readonly int[] _first = new int[65], _last = new int[65];
    private const int Flood = -1, FloodList = 64;

    /// <remarks>
    /// Two passes, as netmap's VALE: first each frame is checked, its source learned and its
    /// destination looked up; then each destination port gets its frames in one batch (one take of
    /// its ring's lock, one publication of hwtail, one wake-up).
    /// </remarks>
    public uint Transmit(uint port, RingView ring, uint from, uint to)
    {
        byte* b = region.Base;
        uint slots = ring.Slots, buffers = _layout.Geometry.BufferCount, bufferSize = _layout.Geometry.BufferSize;
        _taps.Refresh();
        bool taps = _taps.Any;
        ulong targets = 0; // ports with frames for them
        Array.Fill(_first, -1);
        NetmapSlot* first = ring.Slot(0); // from and to were checked: stepping keeps i below slots
        int k = 0;
        for (uint i = from; i != to; i = i + 1 == slots ? 0 : i + 1, k++)
        {
            var ts = first + i;
            if (!RingChecks.IsRegionBuffer(ts->BufferIndex, buffers) || ts->Length < EthernetHeader || ts->Length > bufferSize)
            {
                Interlocked.Increment(ref _layout.Port(b, port)->TxErrors);
                continue;
            }
            byte* frame = ring.Buffer(ts->BufferIndex);
            if (taps) _taps.Copy(port, MonitorTaps.Transmitted, 0, frame, ts->Length);
            if ((frame[6] & 1) == 0 && (ts->Flags & SlotFlags.NoLearn) == 0) Learn(ReadMac(frame + 6), port);
            int dest = (frame[0] & 1) != 0 ? Flood : Lookup(ReadMac(frame));
            if (dest == (int)port) continue; // netmap drops frames addressed back to their sender
            Append(dest >= 0 ? dest : FloodList, k);
            if (dest >= 0) targets |= 1UL << dest;
        }
        if (_first[FloodList] >= 0)
            for (uint p = 0; p < _layout.Geometry.FirstMonitorPort; p++)
                if (p != port && Volatile.Read(ref _layout.Port(b, p)->InUse) != 0) targets |= 1UL << (int)p;
        for (int p = 0; targets != 0; p++, targets >>= 1)
        {
            if ((targets & 1) == 0) continue;
            var batch = DeliveryBatch.Open(region, (uint)p, 0);
            bool copied = false;
            // The port's own frames and the flooded ones, merged back into ring order.
            for (int own = _first[p], flood = _first[FloodList]; own >= 0 || flood >= 0; )
            {
                int at;
                if (flood < 0 || (own >= 0 && own < flood)) { at = own; own = _nextSame[own]; }
                else { at = flood; flood = _nextSame[flood]; }
                uint i = from + (uint)at;
                var ts = first + (i >= slots ? i - slots : i);
                byte* frame = ring.Buffer(ts->BufferIndex);
                if (taps) _taps.Copy((uint)p, MonitorTaps.Received, 0, frame, ts->Length);
                copied |= batch.Copy(frame, ts->Length);
            }
            batch.Close();
            if (copied) SharedEvent.Signal(&_layout.Port(b, (uint)p)->RxEvent);
        }
        _taps.Wake();
        return RingMath.Distance(from, to, slots);
    }

    public void SlotsReleased(uint port) { }

    /// <summary>Puts position <paramref name="at"/> at the end of the list of <paramref name="list"/> (a port, or <see cref="FloodList"/>).</summary>
    private void Append(int list, int at)
    {
        _nextSame[at] = -1;
        if (_first[list] < 0) _first[list] = at; else _nextSame[_last[list]] = at;
        _last[list] = at;
    }

    private void Learn(ulong mac, uint port)
    {
        ulong* table = _layout.LearningTable(region.Base);
        ulong entry = (mac << 16) | (port + 1);
        ref ulong bucket = ref table[Bucket(mac)];
        if (Volatile.Read(ref bucket) != entry) Volatile.Write(ref bucket, entry);
    }

    /// <summary>The port <paramref name="mac"/> was learned on, or -1 when unknown or that port is gone.</summary>
    private int Lookup(ulong mac)
    {
        ulong entry = Volatile.Read(ref _layout.LearningTable(region.Base)[Bucket(mac)]);
        if (entry >> 16 != mac) return -1;
        int port = (int)(entry & 0xffff) - 1;
        return port >= 0 && port < _layout.Geometry.FirstMonitorPort
            && Volatile.Read(ref _layout.Port(region.Base, (uint)port)->InUse) != 0 ? port : -1;
    }

    private static int Bucket(ulong mac) => (int)((mac * 0x9E3779B97F4A7C15UL) >> (64 - 10));

    private static ulong ReadMac(byte* p) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(p, 2)) << 32)
        | BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(p + 2, 4));
}
