using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Netmap.Native.Abi;

namespace Netmap.Native.Rings;

/// <summary>
/// One ring of an open port as the loops see it. The ring header and its slots live in mapped memory
/// that other processes can write (a shared region, the kernel's memory); its shape (slot count,
/// buffer size, where the buffer pool starts and how many buffers fit in the mapping) was read once
/// at open, checked against the mapping and kept here, in private memory. Every index read back
/// from the mapping (head, cur, tail, a slot's buffer index) is checked before memory is touched:
/// a bad one is a <see cref="NetmapError.Corrupted"/> error naming the field and value.
/// </summary>
public readonly unsafe struct RingView
{
    private readonly byte* _pool;

    internal RingView(NetmapRing* header, uint slots, uint bufferSize, byte* pool, uint bufferCount, string port, bool tx, uint index)
    {
        Header = header;
        Slots = slots;
        BufferSize = bufferSize;
        _pool = pool;
        BufferCount = bufferCount;
        Port = port;
        IsTx = tx;
        Number = index;
    }

    /// <summary>The ring header in mapped memory (head, cur, tail and flags are the user's to write).</summary>
    public NetmapRing* Header { get; }
    public uint Slots { get; }
    public uint BufferSize { get; }
    /// <summary>Buffers [0, BufferCount) lie inside the mapping.</summary>
    public uint BufferCount { get; }
    public string Port { get; }
    public bool IsTx { get; }
    /// <summary>The ring's index among the port's TX or RX rings (NETMAP_TXRING / NETMAP_RXRING).</summary>
    public uint Number { get; }
    public bool IsMapped => Header != null;

    public uint Head => Index(Volatile.Read(ref Header->Head), "head");
    public uint Cur => Index(Volatile.Read(ref Header->Cur), "cur");
    public uint Tail => Index(Volatile.Read(ref Header->Tail), "tail");

    /// <summary>Slots the user owns (nm_ring_space).</summary>
    public uint Space => RingMath.Distance(Head, Tail, Slots);
    /// <summary>True when the user owns no slot (nm_ring_empty).</summary>
    public bool IsEmpty => Head == Tail;

    /// <summary>Where the slots and buffers are, as values a loop keeps in registers (<see cref="RingLayout"/>).</summary>
    public RingLayout Layout => new(Slot(0), _pool, Slots, BufferCount, BufferSize);

    /// <summary>Slots from <paramref name="from"/> forward to <paramref name="to"/> (indices below <see cref="Slots"/>), wrapping.</summary>
    public uint Distance(uint from, uint to) => RingMath.Distance(from, to, Slots);

    /// <summary>The index after <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Next(uint i) => i + 1 == Slots ? 0 : i + 1;

    /// <summary>Moves head and cur to <paramref name="i"/> (an index this view produced, so below <see cref="Slots"/>).</summary>
    public void Advance(uint i)
    {
        Header->Cur = i;
        Volatile.Write(ref Header->Head, i);
    }

    /// <summary>Slot <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public NetmapSlot* Slot(uint i) => (NetmapSlot*)((byte*)Header + NetmapRing.HeaderSize) + Index(i, "slot index");

    /// <summary><paramref name="value"/>, read from shared memory as a slot index of this ring, after checking it is one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Index(uint value, string field)
    {
        if (value >= Slots) ThrowOutOfRange(IsTx, Number, Port, field, value, Slots, "the ring has slots");
        return value;
    }

    /// <summary>The buffer a slot holds; a buffer index outside the mapping is a corruption.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Buffer(uint bufferIndex)
    {
        if (bufferIndex >= BufferCount) ThrowOutOfRange(IsTx, Number, Port, "buffer index", bufferIndex, BufferCount, "the mapping holds buffers");
        return _pool + (long)bufferIndex * BufferSize;
    }

    /// <summary>The bytes of a slot's frame that lie in its buffer (a length over the buffer is cut to it).</summary>
    public int Length(NetmapSlot* slot) => Math.Min(slot->Length, (int)BufferSize);

    // static, with the view's fields as arguments: an instance call would take the view's address, and the
    // JIT would then keep every RingView of a hot loop in memory instead of in registers
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutOfRange(bool tx, uint number, string port, string field, uint value, uint count, string what) =>
        throw new NetmapException(NetmapError.Corrupted,
            $"{(tx ? "TX" : "RX")} ring {number} of '{port}' is corrupted: {field} {value} is out of range ({what} 0 to {count - 1}). " +
            "Another process wrote into the port's memory, or the ring's user did; nothing outside the mapping was touched. Close the port and open it again.")
        { Field = field, Value = value };

    /// <summary>
    /// Reads the shape of the ring at <paramref name="header"/> and checks it against the mapping
    /// [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>): the header, every
    /// slot and the first buffer must lie inside it.
    /// </summary>
    internal static RingView Read(NetmapRing* header, byte* start, long length, string port, bool tx, uint index)
    {
        byte* end = start + length;
        string which = $"{(tx ? "TX" : "RX")} ring {index} of '{port}'";
        if ((byte*)header < start || (byte*)header + NetmapRing.HeaderSize > end)
            throw OpenCorrupt($"{which} lies outside the port's memory");
        uint slots = header->NumSlots, bufferSize = header->BufferSize;
        long bufferOffset = header->BufferOffset;
        if (slots < 2 || slots > 1 << 20 || (byte*)header + NetmapRing.SizeFor(slots) > end)
            throw OpenCorrupt($"{which} claims {slots} slots, which do not fit the port's memory");
        if (bufferSize < 64 || bufferSize > 1 << 20)
            throw OpenCorrupt($"{which} claims buffers of {bufferSize} bytes");
        long poolOffset = (byte*)header - start + bufferOffset;
        if (poolOffset < 0 || poolOffset >= length)
            throw OpenCorrupt($"{which} puts its buffers at offset {poolOffset}, outside the port's memory of {length} bytes");
        long count = (length - poolOffset) / bufferSize;
        return new RingView(header, slots, bufferSize, start + poolOffset, (uint)Math.Min(count, uint.MaxValue), port, tx, index);
    }

    private static NetmapException OpenCorrupt(string what) =>
        new(NetmapError.Corrupted, $"Cannot use the port: {what}. Its memory was damaged; close every port that uses it and open it again.");
}

/// <summary>A ring's slots and buffers as plain values: buffer i (below Buffers) is at Pool + i * BufferSize.</summary>
public readonly unsafe struct RingLayout(NetmapSlot* slots, byte* pool, uint count, uint buffers, uint bufferSize)
{
    public readonly NetmapSlot* Slots = slots;
    public readonly byte* Pool = pool;
    public readonly uint Count = count, Buffers = buffers, BufferSize = bufferSize;
}
