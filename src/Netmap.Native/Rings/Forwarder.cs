using System.Runtime.CompilerServices;
using Netmap.Native.Packets;
using Netmap.Native.Abi;
using Netmap.Native.Filters;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// The forwarding loop: moves what arrives on the RX rings of one port to a TX ring of another,
/// dropping what the filter rejects. When both ports live in one memory region the buffers are
/// swapped (both slots marked NS_BUF_CHANGED) instead of copied. What it reads counts in the statistics of
/// the port it reads (seen, matched, received: handed on), what it moves in those of the port it fills.
/// </summary>
public sealed unsafe class Forwarder : IForwardDirection
{
    private readonly NetmapPort _from, _to;
    private readonly PacketFilter? _filter;
    private readonly uint _txRing;
    private readonly bool _echo;

    /// <param name="echo">Send each frame back as its answer (<see cref="EchoSwap"/>); a port may then answer on itself, as pkt-gen's pong.</param>
    public Forwarder(NetmapPort from, NetmapPort to, PacketFilter? filter = null, bool echo = false)
    {
        _echo = echo;
        if (ReferenceEquals(from, to) && !echo)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"'{from.Name}' cannot be forwarded to itself: its RX and TX rings would feed each other. Forward it to another port (a pipe, a VALE port, the host rings '^').");
        _from = from;
        _to = to;
        _filter = filter is { MatchesEverything: true } ? null : filter;
        if (from.RxRings.Count == 0) throw new NetmapException(NetmapError.InvalidRequest, $"'{from.Name}' has no RX rings to forward from.");
        if (to.TxRings.Count == 0) throw new NetmapException(NetmapError.InvalidRequest, $"'{to.Name}' has no TX rings to forward to.");
        _txRing = to.TxRings.First;
        ZeroCopy = from.Mode == to.Mode && from.MemoryId == to.MemoryId && from.Region == to.Region && from.BufferSize == to.BufferSize;
    }

    public NetmapPort From => _from;
    public NetmapPort To => _to;
    /// <summary>The TX ring of <see cref="To"/> that this forwarder fills.</summary>
    public uint TxRing => _txRing;
    /// <summary>True when buffers are swapped rather than copied.</summary>
    public bool ZeroCopy { get; }
    public long Forwarded { get; private set; }
    public long Filtered { get; private set; }

    /// <summary>Spin on rxsync instead of sleeping in poll when there is nothing to forward (<see cref="ReceiveWait"/>).</summary>
    public bool BusyWait { get; set; }

    /// <summary>
    /// When true, a batch is left in the TX ring for the next wait to hand over, as netmap's bridge does: one poll(2)
    /// over both ports per batch (<see cref="NetmapPort.WaitForward"/>) instead of a sync and then a wait. For a loop
    /// that waits on this forwarder alone; with two directions, each batch is synced at once.
    /// </summary>
    public bool SyncInWait { get; set; }
    private bool _handedOverByWait;

    /// <summary>Moves what is there (waiting up to <paramref name="timeoutMs"/> for something), at most <paramref name="budget"/> frames. Returns frames forwarded.</summary>
    public long Run(long budget, int timeoutMs, CancellationToken cancel = default)
    {
        long moved = Move(budget);
        if (moved > 0) return moved;
        bool ready = _handedOverByWait ? _from.WaitForward(_to, timeoutMs, cancel) : new ReceiveWait(BusyWait).Until(_from, timeoutMs, cancel);
        _handedOverByWait = false;
        return ready ? Move(budget) : 0;
    }

    /// <summary>
    /// Syncs the TX ring until everything forwarded has left it, or <paramref name="timeoutMs"/>
    /// passes (frames wait in a TX ring until a sync moves them on), and releases the RX slots of a batch left for
    /// the next wait (<see cref="SyncInWait"/>). Returns false when some are still there.
    /// </summary>
    public bool Flush(int timeoutMs, CancellationToken cancel = default)
    {
        if (_handedOverByWait) _from.SyncForward(_to); // the last batch: its RX slots go back too, not only its frames on
        _handedOverByWait = false;
        return DrainTx(_to, _txRing, timeoutMs, cancel);
    }

    /// <summary>Frames counted against a count: those forwarded.</summary>
    public long Taken => Forwarded;
    /// <summary>A forwarder holds nothing between its runs.</summary>
    public bool Holding => false;
    public int WaitLimitMs(int cap) => cap;
    public ForwardReport Report(double seconds) => new(_from.Name, _to.Name, ZeroCopy, Forwarded, Filtered, seconds, seconds > 0 ? Forwarded / seconds : 0);

    /// <summary>Syncs TX ring <paramref name="ring"/> of <paramref name="to"/> until it has handed everything on (empty, or one sync where the receiver holds the slots) or <paramref name="timeoutMs"/> passes: the end of every loop that fills a TX ring of another port.</summary>
    internal static bool DrainTx(NetmapPort to, uint ring, int timeoutMs, CancellationToken cancel)
    {
        var tx = to.TxRing(ring);
        long deadline = Deadline.AfterMs(timeoutMs);
        while (true)
        {
            to.TxSync();
            if (tx.Space == tx.Slots - 1 || to.TxSlotsHeldByReceiver) return true; // a kernel pipe's sync hands everything over; its slots come back as the receiver releases them
            if (Environment.TickCount64 >= deadline || cancel.IsCancellationRequested) return false;
            Thread.Sleep(1);
        }
    }

    /// <remarks>
    /// As netmap's bridge: the indices are kept in hand while frames move, in runs as long as both rings
    /// and the budget allow, and head and cur of each ring are written once per batch. Only head and tail
    /// are read from the rings (both checked), so every index stepped from them stays below the ring's
    /// slots; the buffer indices are checked as they are used.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long Move(long budget)
    {
        var tx = _to.TxRing(_txRing);
        NetmapSlot* txSlots = tx.Slot(0);
        uint txHead = tx.Head, txTail = tx.Tail, txStart = txHead;
        if (txHead == txTail)
        {
            _to.TxSync();
            txTail = tx.Tail;
        }
        var filter = _filter;
        bool zeroCopy = ZeroCopy, echo = _echo;
        int txBufferSize = (int)tx.BufferSize;
        long moved = 0, seen = 0, filtered = 0;
        (RingView Rx, uint Head, RingView Tx, uint TxHead)? damaged = null;
        var span = _from.RxRings;
        for (uint r = span.First; r < span.End && moved < budget && damaged is null; r++)
        {
            var rx = _from.RxRing(r);
            NetmapSlot* rxSlots = rx.Slot(0);
            uint head = rx.Head, tail = rx.Tail;
            while (head != tail && moved < budget)
            {
                if (txHead == txTail)
                {
                    tx.Advance(txHead);
                    txStart = txHead;
                    _to.TxSync();
                    txTail = tx.Tail;
                    if (txHead == txTail) break; // no room: the rest waits in the RX ring
                }
                // a run: no more frames than the RX ring holds, the TX ring has room for, and the budget allows
                long run = Math.Min(Math.Min(rx.Distance(head, tail), tx.Distance(txHead, txTail)), budget - moved);
                if (filter is null && !echo)
                {
                    int done;
                    (head, txHead, done) = MoveRun(rx.Layout, head, tx.Layout, txHead, (int)run, zeroCopy);
                    (seen, moved) = (seen + done, moved + done);
                    if (done < run) { damaged = (rx, head, tx, txHead); break; } // published and counted below, then thrown
                    continue;
                }
                for (; run > 0; run--, head = rx.Next(head))
                {
                    var rs = rxSlots + head;
                    seen++;
                    byte* frame = rx.Buffer(rs->BufferIndex);
                    int length = rx.Length(rs);
                    if (filter is not null && !filter.Matches(frame, length, rs->Length))
                    {
                        filtered++;
                        continue;
                    }
                    var ts = txSlots + txHead;
                    if (zeroCopy)
                    {
                        uint txBuffer = ts->BufferIndex;
                        tx.Buffer(txBuffer); // checked before it goes into the RX ring
                        (ts->BufferIndex, rs->BufferIndex) = (rs->BufferIndex, txBuffer);
                        ts->Flags = SlotFlags.BufferChanged;
                        rs->Flags = SlotFlags.BufferChanged;
                    }
                    else
                    {
                        length = Math.Min(length, txBufferSize);
                        FrameCopy.Copy(frame, tx.Buffer(ts->BufferIndex), length); // cut to the buffer above
                        ts->Flags = SlotFlags.None;
                    }
                    ts->Length = (ushort)Math.Min(length, txBufferSize);
                    if (echo) EchoSwap.Swap(tx.Buffer(ts->BufferIndex), ts->Length);
                    txHead = tx.Next(txHead);
                    moved++;
                }
            }
            rx.Advance(head);
        }
        if (txHead != txStart) tx.Advance(txHead);
        if (moved > 0 && SyncInWait && !BusyWait && _from.CanWaitForward(_to)) _handedOverByWait = true;
        else if (moved > 0) _from.SyncForward(_to);
        else if (seen > 0) _from.RxSync();
        Forwarded += moved;
        Filtered += filtered;
        if (seen > 0) _from.Statistics.AddReceive(seen, seen - filtered, moved);
        if (moved > 0) _to.Statistics.AddSent(moved);
        if (damaged is { } bad) // one of the two buffer indices lies outside the mapping: this throws
        {
            bad.Rx.Buffer(bad.Rx.Slot(bad.Head)->BufferIndex);
            bad.Tx.Buffer(bad.Tx.Slot(bad.TxHead)->BufferIndex);
        }
        return moved;
    }

    /// <summary>
    /// The batch without filter or echo, bridge's loop: moves <paramref name="count"/> frames from the RX slots at
    /// <paramref name="head"/> to the TX slots at <paramref name="txHead"/>, swapping buffers or copying, with no
    /// call inside, so that everything stays in registers. Stops before a slot whose buffer index lies outside the
    /// mapping. Returns the indices after what it moved, and how many it moved.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (uint Head, uint TxHead, int Done) MoveRun(RingLayout rx, uint head, RingLayout tx, uint txHead, int count, bool zeroCopy)
    {
        int done = 0, longest = (int)Math.Min(rx.BufferSize, tx.BufferSize);
        for (; done < count; done++)
        {
            NetmapSlot* rs = rx.Slots + head, ts = tx.Slots + txHead;
            uint rxBuffer = rs->BufferIndex, txBuffer = ts->BufferIndex;
            if (rxBuffer >= rx.Buffers || txBuffer >= tx.Buffers) break;
            int length = Math.Min(rs->Length, longest);
            if (zeroCopy)
            {
                (rs->BufferIndex, ts->BufferIndex) = (txBuffer, rxBuffer);
                rs->Flags = SlotFlags.BufferChanged;
                ts->Flags = SlotFlags.BufferChanged;
            }
            else
            {
                FrameCopy.CopyWithoutCall(rx.Pool + (ulong)rxBuffer * rx.BufferSize, tx.Pool + (ulong)txBuffer * tx.BufferSize, length);
                ts->Flags = SlotFlags.None;
            }
            ts->Length = (ushort)length;
            head = head + 1 == rx.Count ? 0 : head + 1;
            txHead = txHead + 1 == tx.Count ? 0 : txHead + 1;
        }
        return (head, txHead, done);
    }
}
