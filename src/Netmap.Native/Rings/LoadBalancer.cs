using System.Diagnostics;
using Netmap.Native.Abi;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>What Invoke-NetmapLoadBalance moved to one output.</summary>
public sealed record LoadBalanceOutput(string Port, int Index, long Packets);

/// <summary>What Invoke-NetmapLoadBalance moved: the frames per output, and what the copy port got.</summary>
public sealed record LoadBalanceReport(string From, IReadOnlyList<LoadBalanceOutput> Outputs, long Forwarded, string? Copy, long Copied, long CopyDropped,
    double Seconds, double PacketsPerSecond);

/// <summary>
/// netmap's lb in the engine: spreads what arrives on the RX rings of one port over the first TX ring of
/// each output by <see cref="FlowHash"/> (output = hash modulo the number of outputs), so that both
/// directions of a flow leave by the same output, and can copy every frame to one more port. A full
/// output holds the rest in the RX ring until it has room (nothing is lost); the copy port never holds the
/// balancer up: a frame that finds its ring full is not copied and is counted in <see cref="CopyDropped"/>.
/// Buffers are swapped with an output that shares the input's memory region, copied otherwise. The loop
/// allocates nothing per frame and adds to the ports' statistics as it goes.
/// </summary>
public sealed unsafe class LoadBalancer
{
    private readonly NetmapPort _from;
    private readonly NetmapPort[] _outputs;
    private readonly NetmapPort? _copy;
    private readonly bool[] _zeroCopy;
    private readonly long[] _counts, _pass;
    private int _blockedOn = -1;

    /// <exception cref="NetmapException">A port lacks the rings it needs, or one port is given twice (InvalidRequest).</exception>
    public LoadBalancer(NetmapPort from, IReadOnlyList<NetmapPort> outputs, NetmapPort? copy = null)
    {
        if (outputs.Count == 0) throw new NetmapException(NetmapError.InvalidRequest, $"'{from.Name}': give at least one output port to balance over.");
        var all = outputs.Append(from).Concat(copy is null ? [] : [copy]).ToList();
        if (all.Distinct(ReferenceEqualityComparer.Instance).Count() != all.Count)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"'{from.Name}': the input, each output and the copy port must be different ports ({string.Join(", ", all.Select(p => p.Name))}): one port's TX ring cannot take two streams, and an input that is also an output feeds itself.");
        if (from.RxRings.Count == 0) throw new NetmapException(NetmapError.InvalidRequest, $"'{from.Name}' has no RX rings to balance from.");
        foreach (var port in outputs.Concat(copy is null ? [] : [copy]))
            if (port.TxRings.Count == 0) throw new NetmapException(NetmapError.InvalidRequest, $"'{port.Name}' has no TX rings to send on.");
        _from = from;
        _outputs = outputs.ToArray();
        _copy = copy;
        _zeroCopy = _outputs.Select(o => from.Mode == o.Mode && from.MemoryId == o.MemoryId && from.Region == o.Region && from.BufferSize == o.BufferSize).ToArray();
        _counts = new long[_outputs.Length];
        _pass = new long[_outputs.Length];
    }

    public NetmapPort From => _from;
    public IReadOnlyList<NetmapPort> Outputs => _outputs;
    public NetmapPort? Copy => _copy;
    /// <summary>Frames sent to output <paramref name="index"/> so far.</summary>
    public long PacketsTo(int index) => _counts[index];
    public long Forwarded { get; private set; }
    public long Copied { get; private set; }
    public long CopyDropped { get; private set; }

    /// <summary>The output a frame leaves by: its <see cref="FlowHash"/> modulo the number of outputs.</summary>
    public int OutputOf(byte* frame, int length) => (int)(FlowHash.Of(frame, length) % (uint)_outputs.Length);

    /// <summary>Set when the last run ended because the other end of a pipe went away (its report has what was moved until then).</summary>
    public NetmapException? PeerGone { get; private set; }

    /// <summary>
    /// Balances until <paramref name="count"/> frames were forwarded (0: no limit), <paramref name="duration"/>
    /// seconds passed (negative: no limit) or <paramref name="cancel"/> is cancelled; then hands what is
    /// still in the TX rings on and reports.
    /// </summary>
    public LoadBalanceReport Run(long count, double duration, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            while (!cancel.IsCancellationRequested && (duration < 0 || clock.Elapsed.TotalSeconds < duration) && (count <= 0 || Forwarded < count))
                Step(count > 0 ? count - Forwarded : long.MaxValue, 50, cancel);
            foreach (var output in _outputs) Forwarder.DrainTx(output, output.TxRings.First, 1000, cancel);
            if (_copy is not null) Forwarder.DrainTx(_copy, _copy.TxRings.First, 1000, cancel);
        }
        catch (NetmapException e) when (e.Error == NetmapError.PeerGone)
        {
            PeerGone = e;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return new LoadBalanceReport(_from.Name, _outputs.Select((o, i) => new LoadBalanceOutput(o.Name, i, _counts[i])).ToList(), Forwarded,
            _copy?.Name, Copied, CopyDropped, seconds, seconds > 0 ? Forwarded / seconds : 0);
    }

    /// <summary>Moves what is there, waiting up to <paramref name="timeoutMs"/> for frames (or for room in a full output). Returns frames forwarded.</summary>
    public long Step(long budget, int timeoutMs, CancellationToken cancel = default)
    {
        long moved = Move(budget);
        if (moved > 0) return moved;
        bool ready = _blockedOn >= 0
            ? _outputs[_blockedOn].Wait(WaitDirection.Transmit, timeoutMs, cancel)
            : _from.Wait(WaitDirection.Receive, timeoutMs, cancel);
        return ready ? Move(budget) : 0;
    }

    private long Move(long budget)
    {
        Array.Clear(_pass);
        long moved = 0, copied = 0, copyDropped = 0;
        bool seen = false, copyFull = false;
        _blockedOn = -1;
        var copyRing = _copy is null ? default : _copy.TxRing(_copy.TxRings.First);
        var span = _from.RxRings;
        for (uint r = span.First; r < span.End && moved < budget && _blockedOn < 0; r++)
        {
            var rx = _from.RxRing(r);
            uint head = rx.Head, tail = rx.Tail;
            for (; head != tail && moved < budget; head = rx.Next(head))
            {
                var rs = rx.Slot(head);
                byte* frame = rx.Buffer(rs->BufferIndex);
                int length = rx.Length(rs);
                int output = OutputOf(frame, length);
                var to = _outputs[output];
                var tx = to.TxRing(to.TxRings.First);
                if (tx.IsEmpty)
                {
                    to.TxSync();
                    if (tx.IsEmpty) { _blockedOn = output; break; } // no room: this frame and the rest wait in the RX ring
                }
                if (_copy is not null)
                {
                    if (copyRing.IsEmpty && !copyFull) { _copy.TxSync(); copyFull = copyRing.IsEmpty; } // one sync per pass while it stays full
                    if (copyRing.IsEmpty) copyDropped++;
                    else { Put(copyRing, frame, length); copied++; }
                }
                uint txHead = tx.Head;
                var ts = tx.Slot(txHead);
                if (_zeroCopy[output])
                {
                    uint txBuffer = ts->BufferIndex;
                    tx.Buffer(txBuffer); // checked before it goes into the RX ring
                    (ts->BufferIndex, rs->BufferIndex) = (rs->BufferIndex, txBuffer);
                    ts->Flags = SlotFlags.BufferChanged;
                    rs->Flags = SlotFlags.BufferChanged;
                    ts->Length = (ushort)Math.Min(length, (int)tx.BufferSize);
                    tx.Advance(tx.Next(txHead));
                }
                else Put(tx, frame, length);
                _pass[output]++;
                moved++;
                seen = true;
            }
            rx.Advance(head);
        }
        for (int i = 0; i < _outputs.Length; i++)
        {
            if (_pass[i] == 0) continue;
            _outputs[i].TxSync();
            _outputs[i].Statistics.AddSent(_pass[i]);
            _counts[i] += _pass[i];
        }
        if (copied > 0)
        {
            _copy!.TxSync();
            _copy.Statistics.AddSent(copied);
        }
        if (seen)
        {
            _from.RxSync();
            _from.Statistics.AddReceive(moved, moved, moved);
        }
        Forwarded += moved;
        Copied += copied;
        CopyDropped += copyDropped;
        return moved;
    }

    /// <summary>Copies a frame into the next free slot of <paramref name="tx"/>, which has one; cut to the buffer size.</summary>
    private static void Put(RingView tx, byte* frame, int length)
    {
        uint head = tx.Head;
        var slot = tx.Slot(head);
        length = Math.Min(length, (int)tx.BufferSize);
        FrameCopy.Copy(frame, tx.Buffer(slot->BufferIndex), length);
        slot->Flags = SlotFlags.None;
        slot->Length = (ushort)length;
        tx.Advance(tx.Next(head));
    }
}
