using Netmap.Native.Abi;
using Netmap.Native.Filters;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// The forwarding loop: moves what arrives on the RX rings of one port to a TX ring of another,
/// dropping what the filter rejects. When both ports live in one memory region the buffers are
/// swapped (both slots marked NS_BUF_CHANGED) instead of copied.
/// </summary>
public sealed unsafe class Forwarder
{
    private readonly NetmapPort _from, _to;
    private readonly PacketFilter? _filter;
    private readonly uint _txRing;

    public Forwarder(NetmapPort from, NetmapPort to, PacketFilter? filter = null)
    {
        _from = from;
        _to = to;
        _filter = filter is { MatchesEverything: true } ? null : filter;
        if (from.RxRings.Count == 0) throw new NetmapException(NetmapError.InvalidRequest, $"'{from.Name}' has no RX rings to forward from.");
        if (to.TxRings.Count == 0) throw new NetmapException(NetmapError.InvalidRequest, $"'{to.Name}' has no TX rings to forward to.");
        _txRing = to.TxRings.First;
        ZeroCopy = from.Mode == to.Mode && from.MemoryId == to.MemoryId && from.Region == to.Region && from.BufferSize == to.BufferSize;
    }

    /// <summary>True when buffers are swapped rather than copied.</summary>
    public bool ZeroCopy { get; }
    public long Forwarded { get; private set; }
    public long Filtered { get; private set; }

    /// <summary>Moves what is there (waiting up to <paramref name="timeoutMs"/> for something), at most <paramref name="budget"/> frames. Returns frames forwarded.</summary>
    public long Run(long budget, int timeoutMs, CancellationToken cancel = default)
    {
        long moved = Move(budget);
        if (moved == 0 && _from.Wait(WaitDirection.Receive, timeoutMs, cancel)) moved = Move(budget);
        return moved;
    }

    /// <summary>
    /// Syncs the TX ring until everything forwarded has left it, or <paramref name="timeoutMs"/>
    /// passes (frames wait in a TX ring until a sync moves them on). Returns false when some are still there.
    /// </summary>
    public bool Flush(int timeoutMs, CancellationToken cancel = default)
    {
        var tx = _to.TxRing(_txRing);
        long deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            _to.TxSync();
            if (RingMath.Space(tx) == tx->NumSlots - 1) return true;
            if (Environment.TickCount64 >= deadline || cancel.IsCancellationRequested) return false;
            Thread.Sleep(1);
        }
    }

    private long Move(long budget)
    {
        var tx = _to.TxRing(_txRing);
        if (RingMath.IsEmpty(tx)) _to.TxSync();
        long moved = 0, seen = 0;
        var span = _from.RxRings;
        for (uint r = span.First; r < span.End && moved < budget; r++)
        {
            var rx = _from.RxRing(r);
            uint head = rx->Head, tail = rx->Tail;
            for (; head != tail && moved < budget; head = RingMath.Next(head, rx->NumSlots))
            {
                var rs = NetmapRing.Slot(rx, head);
                seen++;
                if (_filter is not null && !_filter.Matches(NetmapRing.Buffer(rx, rs->BufferIndex), Math.Min(rs->Length, (int)rx->BufferSize), rs->Length))
                {
                    Filtered++;
                    continue;
                }
                if (RingMath.IsEmpty(tx))
                {
                    _to.TxSync();
                    if (RingMath.IsEmpty(tx)) break; // no room: the rest waits in the RX ring
                }
                var ts = NetmapRing.Slot(tx, tx->Head);
                if (ZeroCopy)
                {
                    (ts->BufferIndex, rs->BufferIndex) = (rs->BufferIndex, ts->BufferIndex);
                    ts->Flags = SlotFlags.BufferChanged;
                    rs->Flags = SlotFlags.BufferChanged;
                }
                else
                {
                    Buffer.MemoryCopy(NetmapRing.Buffer(rx, rs->BufferIndex), NetmapRing.Buffer(tx, ts->BufferIndex), tx->BufferSize, Math.Min(rs->Length, tx->BufferSize));
                    ts->Flags = SlotFlags.None;
                }
                ts->Length = (ushort)Math.Min(rs->Length, tx->BufferSize);
                tx->Head = tx->Cur = RingMath.Next(tx->Head, tx->NumSlots);
                moved++;
            }
            rx->Head = rx->Cur = head;
        }
        if (moved > 0) _to.TxSync();
        if (seen > 0) _from.RxSync();
        Forwarded += moved;
        return moved;
    }
}
