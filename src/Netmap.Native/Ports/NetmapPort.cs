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
    private long? _droppedAtClose;
    private long _transmitErrorsAtClose;

    private readonly uint _txNic, _rxNic, _txHost, _rxHost;
    private readonly RingView[] _tx, _rx;

    private NetmapPort(PortSpec spec, IPortDriver driver)
    {
        Spec = spec;
        _driver = driver;
        OpenedAt = DateTime.Now;
        MemoryId = driver.MemoryId;
        try
        {
            (_txNic, _rxNic, _txHost, _rxHost, _tx, _rx) = ReadLayout(driver, spec.Name);
        }
        catch
        {
            driver.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the port's netmap_if and the shape of each ring it maps, once, checked against the
    /// mapping: from here on the loops take ring counts, slot counts, buffer sizes and buffer
    /// addresses from private memory, never again from memory another process can write.
    /// </summary>
    private static (uint, uint, uint, uint, RingView[], RingView[]) ReadLayout(IPortDriver driver, string name)
    {
        byte* start = driver.MemoryStart;
        long length = driver.MemoryLength;
        var nifp = driver.Interface;
        if ((byte*)nifp < start || (byte*)nifp + NetmapInterface.HeaderSize > start + length)
            throw new NetmapException(NetmapError.Corrupted, $"Cannot use '{name}': its netmap_if lies outside the port's memory.");
        uint txNic = nifp->TxRings, rxNic = nifp->RxRings, txHost = nifp->HostTxRings, rxHost = nifp->HostRxRings;
        if (txNic + txHost > 1024 || rxNic + rxHost > 1024
            || (byte*)nifp + NetmapInterface.SizeFor(txNic + txHost + rxNic + rxHost) > start + length)
            throw new NetmapException(NetmapError.Corrupted,
                $"Cannot use '{name}': its netmap_if lists {txNic}+{txHost} TX and {rxNic}+{rxHost} RX rings, more than its memory holds.");
        long* offsets = NetmapInterface.RingOffsets(nifp);
        var tx = new RingView[txNic + txHost];
        var rx = new RingView[rxNic + rxHost];
        for (uint i = 0; i < tx.Length; i++)
            if (offsets[i] != 0) tx[i] = RingView.Read((NetmapRing*)((byte*)nifp + offsets[i]), start, length, name, tx: true, i);
        for (uint i = 0; i < rx.Length; i++)
            if (offsets[tx.Length + i] != 0) rx[i] = RingView.Read((NetmapRing*)((byte*)nifp + offsets[tx.Length + i]), start, length, name, tx: false, i);
        return (txNic, rxNic, txHost, rxHost, tx, rx);
    }

    /// <summary>Parses <paramref name="name"/> and opens the port.</summary>
    public static NetmapPort Open(string name, PortMode? mode = null, bool disableOffloads = false, CancellationToken cancel = default) =>
        Open(PortNameParser.Parse(name), mode, disableOffloads, cancel);

    /// <summary>
    /// Opens the port <paramref name="spec"/> names, in <paramref name="mode"/> (default: chosen by
    /// <see cref="NetmapBackends"/>); <paramref name="disableOffloads"/> turns an interface's
    /// offloads off until the port closes; <paramref name="cancel"/> ends a wait for another process's
    /// open or close of the same region (OperationCanceledException).
    /// </summary>
    public static NetmapPort Open(PortSpec spec, PortMode? mode = null, bool disableOffloads = false, CancellationToken cancel = default) =>
        new(spec, NetmapBackends.Open(spec, mode, disableOffloads, cancel));

    public string Name => Spec.Name;
    /// <summary>Who serves the port, for the engine's own uses of a backend's extras.</summary>
    internal IPortDriver Driver => _driver;
    public PortSpec Spec { get; }
    public PortMode Mode => _driver.Mode;
    public string Mechanism => _driver.Mechanism;
    /// <summary>The link-layer header type of the frames in the rings (a LINKTYPE_ value): Ethernet (1) for every netmap port.</summary>
    public int LinkType => Packets.NetmapPacket.EthernetLinkType;
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
    public IDisposable Use() => Use(default, default, "");

    /// <summary>
    /// As <see cref="Use"/>, for a loop that works on RX rings <paramref name="rx"/> and TX rings
    /// <paramref name="tx"/>: they are the loop's until the lease ends. Two loops on one ring would take
    /// each other's frames and release each other's slots, so a second one is refused.
    /// </summary>
    /// <param name="loop">What the loop is, in words the user knows (the second loop's error names it).</param>
    /// <exception cref="NetmapException">The port is closed (Closed), or another loop uses one of the rings (Busy).</exception>
    public IDisposable Use(RingSpan rx, RingSpan tx, string loop)
    {
        var claim = new RingClaim(rx, tx, loop, DateTime.Now, Environment.CurrentManagedThreadId);
        lock (_gate)
        {
            if (_disposed != 0) throw Closed();
            if (rx.Count + tx.Count > 0)
            {
                foreach (var other in _claims)
                {
                    string? ring = Overlap(other.Rx, rx, "RX") ?? Overlap(other.Tx, tx, "TX");
                    if (ring is not null)
                        throw new NetmapException(NetmapError.Busy,
                            $"{ring} of '{Name}' is in use by {other.Loop} (started {other.Since:HH:mm:ss} on thread {other.Thread}) in this process. " +
                            "One loop per ring: two would take each other's frames. Stop that one first (Ctrl+C, Stop-Job), or open another ring of the port for this one.");
                }
                _claims.Add(claim);
            }
            _users++;
        }
        return new Lease(this, claim);
    }

    private static string? Overlap(RingSpan held, RingSpan wanted, string direction)
    {
        for (uint r = wanted.First; r < wanted.End; r++)
            if (held.Contains(r)) return $"{direction} ring {r}";
        return null;
    }

    private sealed record RingClaim(RingSpan Rx, RingSpan Tx, string Loop, DateTime Since, int Thread);

    private readonly List<RingClaim> _claims = new();

    private sealed class Lease(NetmapPort port, RingClaim claim) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            bool last;
            lock (port._gate)
            {
                port._claims.RemoveAll(c => ReferenceEquals(c, claim));
                last = --port._users == 0 && port._disposed != 0;
            }
            if (last) port._driver.Dispose();
        }
    }

    public uint TxRingCount => _txNic;
    public uint RxRingCount => _rxNic;
    public uint HostTxRingCount => _txHost;
    public uint HostRxRingCount => _rxHost;
    /// <summary>The TX rings this port registered (NETMAP_TXRING indices).</summary>
    public RingSpan TxRings => _driver.TxRings;
    /// <summary>The RX rings this port registered (NETMAP_RXRING indices).</summary>
    public RingSpan RxRings => _driver.RxRings;
    public uint TxSlots => FirstMapped(_tx).Slots;
    public uint RxSlots => FirstMapped(_rx).Slots;
    public uint BufferSize => FirstMapped(_tx).IsMapped ? FirstMapped(_tx).BufferSize : FirstMapped(_rx).BufferSize;
    /// <summary>Packets dropped where the backend counts them; null (shown as n/a) where nothing does (kernel pipes, VALE ports, monitors).</summary>
    public long? Dropped => IsOpen ? _driver.Dropped : _droppedAtClose;
    /// <summary>Frames refused at txsync because their slot was damaged (buffer index out of range, length larger than a buffer).</summary>
    public long TransmitErrors => IsOpen ? _driver.TransmitErrors : _transmitErrorsAtClose;
    /// <summary>What the receive loops saw, matched and handed on from this port.</summary>
    public PortStatistics Statistics { get; } = new();
    /// <summary>What the user should know about how the port was opened.</summary>
    public IReadOnlyList<NetmapWarning> Warnings => _driver.Warnings;

    internal NetmapInterface* Interface => IsOpen ? _driver.Interface : throw Closed();
    /// <summary>TX ring <paramref name="index"/> (NETMAP_TXRING numbering), which this port must have mapped.</summary>
    public RingView TxRing(uint index) => Mapped(_tx, index, "TX");
    /// <summary>RX ring <paramref name="index"/> (NETMAP_RXRING numbering), which this port must have mapped.</summary>
    public RingView RxRing(uint index) => Mapped(_rx, index, "RX");

    private RingView Mapped(RingView[] rings, uint index, string direction)
    {
        if (!IsOpen) throw Closed();
        return index < rings.Length && rings[index].IsMapped ? rings[index]
            : throw new NetmapException(NetmapError.InvalidRequest, $"'{Name}' has no {direction} ring {index} in its memory.");
    }

    /// <summary>True when the TX slots of sent frames stay taken until the receiver releases them (kernel pipes).</summary>
    public bool TxSlotsHeldByReceiver => _driver.TxSlotsHeldByReceiver;
    /// <summary>The shortest and longest frame TX ring <paramref name="ring"/> passes on (the buffer size aside).</summary>
    public (int Shortest, int Longest) FrameLimits(uint ring) => _driver.FrameLimits(ring);
    public void TxSync() => _driver.TxSync();
    public void RxSync() => _driver.RxSync();
    /// <summary>This port's rxsync and <paramref name="to"/>'s txsync, the end of a forwarding batch: one poll(2) over both on the kernel backend, two syncs elsewhere.</summary>
    public void SyncForward(NetmapPort to)
    {
        if (_driver.TrySyncForward(to._driver)) return;
        to.TxSync();
        RxSync();
    }
    public bool Wait(WaitDirection direction, int timeoutMs, CancellationToken cancel = default) =>
        _driver.Wait(direction, timeoutMs, cancel);
    /// <summary>True when a forwarding loop may leave a batch in <paramref name="to"/>'s TX ring for <see cref="WaitForward"/> to hand over (kernel ports: one poll(2) over both).</summary>
    public bool CanWaitForward(NetmapPort to) => _driver.CanWaitForward(to._driver);
    /// <summary>Hands over what was put in <paramref name="to"/>'s TX ring and waits until this port has packets.</summary>
    public bool WaitForward(NetmapPort to, int timeoutMs, CancellationToken cancel = default) => _driver.WaitForward(to._driver, timeoutMs, cancel);

    /// <summary>Snapshots of every ring of the port: NIC and host, TX and RX.</summary>
    public IReadOnlyList<RingInfo> GetRings()
    {
        using var use = Use();
        var rings = new List<RingInfo>();
        foreach (var ring in _tx) if (ring.IsMapped) rings.Add(Describe(ring, RingDirection.TX, _txNic));
        foreach (var ring in _rx) if (ring.IsMapped) rings.Add(Describe(ring, RingDirection.RX, _rxNic));
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
        var ring = (direction == RingDirection.TX ? _tx : _rx)[position];
        if (!ring.IsMapped)
            throw new NetmapException(NetmapError.InvalidRequest, $"'{Name}' did not register {kind} {direction} ring {index}; open the port with that ring to see its slots.");
        uint slots = ring.Slots, head = ring.Header->Head, tail = ring.Header->Tail;
        var list = new List<SlotInfo>();
        foreach (uint i in indices ?? Enumerable.Range(0, (int)slots).Select(i => (uint)i))
        {
            if (i >= slots) throw new NetmapException(NetmapError.InvalidRequest, $"Slot {i} is out of range: the ring has {slots} slots, 0 to {slots - 1}.");
            bool user = head < slots && tail < slots && RingMath.InRange(i, head, tail, slots);
            if (userOwnedOnly && !user) continue;
            var slot = ring.Slot(i);
            uint buffer = slot->BufferIndex;
            string bytes = buffer < 2 || buffer >= ring.BufferCount ? "" : Convert.ToHexString(new ReadOnlySpan<byte>(ring.Buffer(buffer),
                Math.Min(16, ring.Length(slot)))).ToLowerInvariant();
            list.Add(new SlotInfo(Name, direction, kind, index, i, buffer, slot->Length, slot->Flags, user ? "user" : "kernel", bytes));
        }
        return list;
    }

    /// <summary>A snapshot of one ring: the pointers as they are in memory (even out of range), the space only where they make sense.</summary>
    private RingInfo Describe(RingView ring, RingDirection direction, uint nicRings)
    {
        var h = ring.Header;
        uint head = h->Head, cur = h->Cur, tail = h->Tail, index = ring.Number;
        uint space = head < ring.Slots && tail < ring.Slots ? RingMath.Distance(head, tail, ring.Slots) : 0;
        return new(Name, index < nicRings ? RingKind.NIC : RingKind.Host, direction, index < nicRings ? index : index - nicRings,
            ring.Slots, head, cur, tail, space, ring.BufferSize, h->Flags, RingChecks.Timestamp(h).ToLocalTime())
        { PortObject = this, Held = (direction == RingDirection.TX ? TxRings : RxRings).Contains(index) };
    }

    /// <summary>The first ring the port mapped (the kernel leaves ring_ofs at 0 for rings the registration did not bind), or an unmapped view.</summary>
    private static RingView FirstMapped(RingView[] rings)
    {
        foreach (var ring in rings) if (ring.IsMapped) return ring;
        return default;
    }

    private NetmapException Closed() => new(NetmapError.Closed, $"The port '{Name}' is closed; open it again.") { Remedy = NetmapRemedy.ReopenPort, Subject = Name };

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
