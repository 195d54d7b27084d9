using Netmap.Native.Abi;

namespace Netmap.Native.Ports;

/// <summary>Who runs the rings: the netmap kernel module, or NetmapPS in user space.</summary>
public enum PortMode { Native, Emulated }

/// <summary>What a wait is for: packets to receive, or room to transmit.</summary>
public enum WaitDirection { Receive, Transmit }

/// <summary>A run of ring indices [First, End) as NETMAP_TXRING / NETMAP_RXRING count them (host rings after NIC rings).</summary>
public readonly record struct RingSpan(uint First, uint End)
{
    public uint Count => End - First;
    public bool Contains(uint index) => index >= First && index < End;
    public override string ToString() => Count == 0 ? "none" : Count == 1 ? $"{First}" : $"{First}..{End - 1}";
}

/// <summary>
/// What a backend provides for one registered port: the netmap_if in mapped memory, the syncs and a
/// wait. Everything else (walking rings, copying packets) is common code over the netmap layout.
/// </summary>
public unsafe interface IPortDriver : IDisposable
{
    /// <summary>The port's netmap_if.</summary>
    NetmapInterface* Interface { get; }
    /// <summary>Where the port's memory is mapped: its netmap_if, rings and buffers all lie in [MemoryStart, MemoryStart + MemoryLength).</summary>
    byte* MemoryStart { get; }
    long MemoryLength { get; }
    PortMode Mode { get; }
    /// <summary>How the rings are served, in words (for example "user-space netmap pipe in shared memory").</summary>
    string Mechanism { get; }
    /// <summary>Memory region id: ports with the same id share buffers (zero-copy is possible between them).</summary>
    ushort MemoryId { get; }
    /// <summary>Where the memory region lives (a file, or the kernel's allocator).</summary>
    string Region { get; }
    long RegionSize { get; }
    /// <summary>TX rings this port registered.</summary>
    RingSpan TxRings { get; }
    /// <summary>RX rings this port registered.</summary>
    RingSpan RxRings { get; }
    /// <summary>Packets dropped where the backend knows of them (a full receive ring); null where nothing counts them.</summary>
    long? Dropped { get; }
    /// <summary>Frames this port put in a TX ring that were refused at txsync: a slot with a buffer index out of range or a length larger than a buffer.</summary>
    long TransmitErrors => 0;
    /// <summary>
    /// The shortest and longest frame TX ring <paramref name="ring"/> passes on; txsync drops the
    /// others (counting them in <see cref="TransmitErrors"/>), so senders refuse them first.
    /// </summary>
    (int Shortest, int Longest) FrameLimits(uint ring) => (0, int.MaxValue);
    /// <summary>What the user should know about how the port was opened (fallbacks, side effects).</summary>
    IReadOnlyList<NetmapWarning> Warnings { get; }
    /// <summary>
    /// True when a txsync hands every frame in [hwcur, head) to the receiver at once while the TX slots
    /// stay taken until the receiver releases them (netmap kernel pipes swap buffers). A flush then
    /// ends after one sync instead of waiting for the TX ring to empty.
    /// </summary>
    bool TxSlotsHeldByReceiver => false;
    /// <summary>NIOCTXSYNC: hands [hwcur, head) of the TX rings to the other side, reclaims sent slots.</summary>
    void TxSync();
    /// <summary>NIOCRXSYNC: releases [hwcur, head) of the RX rings, publishes new packets by moving tail.</summary>
    void RxSync();
    /// <summary>
    /// The syncs that end a forwarding batch, this port's rxsync and <paramref name="to"/>'s txsync, in one
    /// system call where the backend can make one (netmap's bridge: poll(2) over both descriptors, with no
    /// wait). True when they were made; false when the caller is to make them itself.
    /// </summary>
    bool TrySyncForward(IPortDriver to) => false;
    /// <summary>True when <see cref="WaitForward"/> to <paramref name="to"/> costs one system call, so that a forwarding loop may leave its batch for it (netmap's bridge).</summary>
    bool CanWaitForward(IPortDriver to) => false;
    /// <summary>
    /// The wait of a forwarding loop that left its last batch in <paramref name="to"/>'s TX ring: hands it over and
    /// waits until an RX ring of this port has packets (a txsync, then <see cref="Wait"/>; the kernel backend makes
    /// both one poll(2) over the two descriptors).
    /// </summary>
    bool WaitForward(IPortDriver to, int timeoutMs, CancellationToken cancel)
    {
        to.TxSync();
        return Wait(WaitDirection.Receive, timeoutMs, cancel);
    }
    /// <summary>
    /// poll(2): syncs (every driver, with any timeout: a loop's release of the slots it read rides on its
    /// next wait) and waits until an RX ring has packets past cur, or a TX ring has room past cur.
    /// </summary>
    bool Wait(WaitDirection direction, int timeoutMs, CancellationToken cancel);
}
