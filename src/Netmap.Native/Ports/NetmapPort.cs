using Netmap.Native.Abi;
using Netmap.Native.PortNames;
using Netmap.Native.Rings;

namespace Netmap.Native.Ports;

/// <summary>
/// An open netmap port: its parsed name, who serves it, and its rings in mapped memory. The same
/// object for every backend.
/// </summary>
public sealed unsafe class NetmapPort : IDisposable
{
    private readonly IPortDriver _driver;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _closing = new();
    private int _disposed, _users;
    private long _droppedAtClose, _transmitErrorsAtClose;

    private NetmapPort(PortSpec spec, IPortDriver driver)
    {
        Spec = spec;
        _driver = driver;
        MemoryId = driver.MemoryId;
        OpenedAt = DateTime.Now;
    }

    /// <summary>Parses <paramref name="name"/> and opens the port.</summary>
    public static NetmapPort Open(string name, PortMode? mode = null, bool disableOffloads = false) =>
        Open(PortNameParser.Parse(name), mode, disableOffloads);

    /// <summary>
    /// Opens the port <paramref name="spec"/> names, in <paramref name="mode"/> (default: chosen by
    /// <see cref="NetmapBackends"/>); <paramref name="disableOffloads"/> turns an interface's
    /// offloads off until the port closes.
    /// </summary>
    public static NetmapPort Open(PortSpec spec, PortMode? mode = null, bool disableOffloads = false) =>
        new(spec, NetmapBackends.Open(spec, mode, disableOffloads));

    public string Name => Spec.Name;
    public PortSpec Spec { get; }
    public PortMode Mode => _driver.Mode;
    public string Mechanism => _driver.Mechanism;
    public ushort MemoryId { get; }
    public string Region => _driver.Region;
    public long RegionSize => _driver.RegionSize;
    public DateTime OpenedAt { get; }
    public bool IsOpen => Volatile.Read(ref _disposed) == 0;
    /// <summary>Cancelled when the port is closed: loops running on it stop waiting and end.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>
    /// Keeps the port's memory mapped while a loop on another thread (a receive, a send, a forwarding
    /// job) uses it: closing the port then cancels <see cref="Closing"/>, and the memory goes when the
    /// last user disposes of what this returns, not under its feet.
    /// </summary>
    /// <exception cref="NetmapException">The port is closed (Closed).</exception>
    public IDisposable Use()
    {
        lock (_gate)
        {
            if (_disposed != 0) throw Closed();
            _users++;
        }
        return new Lease(this);
    }

    private sealed class Lease(NetmapPort port) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            bool last;
            lock (port._gate) last = --port._users == 0 && port._disposed != 0;
            if (last) port._driver.Dispose();
        }
    }

    public uint TxRingCount => IsOpen ? GetInterface()->TxRings : 0;
    public uint RxRingCount => IsOpen ? GetInterface()->RxRings : 0;
    public uint HostTxRingCount => IsOpen ? GetInterface()->HostTxRings : 0;
    public uint HostRxRingCount => IsOpen ? GetInterface()->HostRxRings : 0;
    /// <summary>The TX rings this port registered (NETMAP_TXRING indices).</summary>
    public RingSpan TxRings => _driver.TxRings;
    /// <summary>The RX rings this port registered (NETMAP_RXRING indices).</summary>
    public RingSpan RxRings => _driver.RxRings;
    public uint TxSlots => SlotsOf(FirstMapped(tx: true));
    public uint RxSlots => SlotsOf(FirstMapped(tx: false));
    public uint BufferSize
    {
        get
        {
            var ring = FirstMapped(tx: true);
            if (ring == null) ring = FirstMapped(tx: false);
            return ring == null ? 0 : ring->BufferSize;
        }
    }
    /// <summary>Packets dropped where the backend knows of them.</summary>
    public long Dropped => IsOpen ? _driver.Dropped : _droppedAtClose;
    /// <summary>Frames refused at txsync because their slot was damaged (buffer index out of range, length larger than a buffer).</summary>
    public long TransmitErrors => IsOpen ? _driver.TransmitErrors : _transmitErrorsAtClose;
    /// <summary>What the receive loops saw, matched and handed on from this port.</summary>
    public PortStatistics Statistics { get; } = new();
    /// <summary>What the user should know about how the port was opened.</summary>
    public IReadOnlyList<string> Warnings => _driver.Warnings;

    /// <summary>
    /// The port's netmap_if. A method, not a property: PowerShell cannot box a pointer, and
    /// Format-List * or Select-Object * would fail on every port.
    /// </summary>
    public NetmapInterface* GetInterface() => IsOpen ? _driver.Interface : throw Closed();
    public NetmapRing* TxRing(uint index) => NetmapInterface.TxRing(GetInterface(), index);
    public NetmapRing* RxRing(uint index) => NetmapInterface.RxRing(GetInterface(), index);

    /// <summary>The shortest and longest frame TX ring <paramref name="ring"/> passes on (the buffer size aside).</summary>
    public (int Shortest, int Longest) FrameLimits(uint ring) => _driver.FrameLimits(ring);
    /// <summary>True when the TX slots of sent frames stay taken until the receiver releases them (kernel pipes).</summary>
    public bool TxSlotsHeldByReceiver => _driver.TxSlotsHeldByReceiver;
    public void TxSync() => _driver.TxSync();
    public void RxSync() => _driver.RxSync();
    public bool Wait(WaitDirection direction, int timeoutMs, CancellationToken cancel = default) =>
        _driver.Wait(direction, timeoutMs, cancel);

    /// <summary>Snapshots of every ring of the port: NIC and host, TX and RX.</summary>
    public IReadOnlyList<RingInfo> GetRings()
    {
        using var use = Use();
        var rings = new List<RingInfo>();
        var nifp = GetInterface();
        for (uint i = 0; i < nifp->TxRings + nifp->HostTxRings; i++)
            if (IsMapped(tx: true, i)) rings.Add(Describe(TxRing(i), RingDirection.TX, i, nifp->TxRings));
        for (uint i = 0; i < nifp->RxRings + nifp->HostRxRings; i++)
            if (IsMapped(tx: false, i)) rings.Add(Describe(RxRing(i), RingDirection.RX, i, nifp->RxRings));
        return rings;
    }

    /// <summary>Snapshots of slots of one ring (all, or those in <paramref name="indices"/>, or only [head, tail)).</summary>
    public IEnumerable<SlotInfo> GetSlots(RingDirection direction, RingKind kind, uint index, IEnumerable<uint>? indices = null, bool userOwnedOnly = false)
    {
        using var use = Use();
        uint nic = direction == RingDirection.TX ? TxRingCount : RxRingCount;
        uint host = direction == RingDirection.TX ? HostTxRingCount : HostRxRingCount;
        uint position = kind == RingKind.NIC ? index : nic + index;
        if ((kind == RingKind.NIC && index >= nic) || (kind == RingKind.Host && index >= host))
            throw new NetmapException(NetmapError.InvalidRequest, $"'{Name}' has no {kind} {direction} ring {index}.");
        if (!IsMapped(direction == RingDirection.TX, position))
            throw new NetmapException(NetmapError.InvalidRequest, $"'{Name}' did not register {kind} {direction} ring {index}; open the port with that ring to see its slots.");
        var ring = direction == RingDirection.TX ? TxRing(position) : RxRing(position);
        uint slots = ring->NumSlots, head = ring->Head, tail = ring->Tail;
        var list = new List<SlotInfo>();
        foreach (uint i in indices ?? Enumerable.Range(0, (int)slots).Select(i => (uint)i))
        {
            if (i >= slots) throw new NetmapException(NetmapError.InvalidRequest, $"Slot {i} is out of range: the ring has {slots} slots, 0 to {slots - 1}.");
            bool user = RingMath.InRange(i, head, tail, slots);
            if (userOwnedOnly && !user) continue;
            var slot = NetmapRing.Slot(ring, i);
            string bytes = slot->BufferIndex < 2 ? "" : Convert.ToHexString(new ReadOnlySpan<byte>(NetmapRing.Buffer(ring, slot->BufferIndex),
                Math.Min(16, Math.Min((int)slot->Length, (int)ring->BufferSize)))).ToLowerInvariant();
            list.Add(new SlotInfo(Name, direction, kind, index, i, slot->BufferIndex, slot->Length, slot->Flags, user ? "user" : "kernel", bytes));
        }
        return list;
    }

    private RingInfo Describe(NetmapRing* ring, RingDirection direction, uint index, uint nicRings) =>
        new(Name, index < nicRings ? RingKind.NIC : RingKind.Host, direction, index < nicRings ? index : index - nicRings,
            ring->NumSlots, ring->Head, ring->Cur, ring->Tail, RingMath.Space(ring), ring->BufferSize, ring->Flags,
            RingChecks.Timestamp(ring).ToLocalTime())
        { PortObject = this, Held = (direction == RingDirection.TX ? TxRings : RxRings).Contains(index) };

    /// <summary>
    /// True when ring <paramref name="index"/> is in this port's memory: the kernel leaves ring_ofs at 0
    /// for rings the registration did not bind (and for the placeholder host ring of ports without one).
    /// </summary>
    private bool IsMapped(bool tx, uint index)
    {
        var nifp = GetInterface();
        uint position = tx ? index : nifp->TxRings + nifp->HostTxRings + index;
        return NetmapInterface.RingOffsets(nifp)[position] != 0;
    }

    private static uint SlotsOf(NetmapRing* ring) => ring == null ? 0 : ring->NumSlots;

    private NetmapRing* FirstMapped(bool tx)
    {
        if (!IsOpen) return null;   // a closed port's properties read 0, so that Format-List * shows them
        uint count = tx ? TxRingCount + HostTxRingCount : RxRingCount + HostRxRingCount;
        for (uint i = 0; i < count; i++)
            if (IsMapped(tx, i)) return tx ? TxRing(i) : RxRing(i);
        return null;
    }

    private NetmapException Closed() => new(NetmapError.Closed, $"The port '{Name}' is closed; open it again with Open-NetmapPort.");

    public override string ToString() => Name;

    /// <summary>Closes the port: at once, or when the last <see cref="Use"/> ends.</summary>
    public void Dispose()
    {
        bool now;
        lock (_gate)
        {
            if (_disposed != 0) return;
            // The counters live in the port's memory: keep their last values for the closed port's properties.
            (_droppedAtClose, _transmitErrorsAtClose) = (_driver.Dropped, _driver.TransmitErrors);
            Volatile.Write(ref _disposed, 1);
            now = _users == 0;
        }
        _closing.Cancel();
        if (now) _driver.Dispose();
    }
}
