namespace Netmap.Native.Ports;

/// <summary>Whether a ring serves the NIC (hardware queue, pipe end, switch port) or the host stack.</summary>
public enum RingKind { NIC, Host }

/// <summary>TX or RX.</summary>
public enum RingDirection { TX, RX }

/// <summary>A snapshot of one ring's pointers, taken when it was read.</summary>
public sealed record RingInfo(
    string Port,
    RingKind Kind,
    RingDirection Direction,
    uint Index,
    uint Slots,
    uint Head,
    uint Cur,
    uint Tail,
    uint Space,
    uint BufferSize,
    Abi.RingFlags Flags,
    DateTime LastSync)
{
    /// <summary>The port object the ring belongs to.</summary>
    public NetmapPort? PortObject { get; init; }
    /// <summary>
    /// True when the port registered this ring (netmap:eth0-1 holds ring 1 of each direction); the
    /// others are in the same memory but are read and written by whoever opens them.
    /// </summary>
    public bool Held { get; init; }
}
