using Netmap.Native.Abi;

namespace Netmap.Native.Ports;

/// <summary>A snapshot of one slot: its buffer, length, flags, who owns it, and the first bytes of the buffer.</summary>
public sealed record SlotInfo(string Port, RingDirection Direction, RingKind Kind, uint Ring, uint Index, uint BufferIndex,
    ushort Length, SlotFlags Flags, string Owner, string Bytes);
