using Netmap.Native.Abi;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// The transmit loop: copies frames into free TX slots, syncs when the ring is full (waiting for
/// room rather than dropping), and flushes at the end.
/// </summary>
public sealed unsafe class PacketTransmitter
{
    private readonly NetmapPort _port;
    private readonly uint _ring;
    private readonly int _shortest, _longest;

    public PacketTransmitter(NetmapPort port, uint? ring = null)
    {
        _port = port;
        var span = port.TxRings;
        if (span.Count == 0)
            throw new NetmapException(NetmapError.InvalidRequest, $"'{port.Name}' has no TX rings registered (was it opened with /R?).");
        _ring = ring ?? span.First;
        if (!span.Contains(_ring))
            throw new NetmapException(NetmapError.InvalidRequest, $"'{port.Name}': TX ring {_ring} is not registered; this port holds TX rings {span}.");
        (_shortest, _longest) = port.FrameLimits(_ring);
    }

    public long Sent { get; private set; }

    /// <summary>The TX ring this transmitter fills (NETMAP_TXRING numbering).</summary>
    public uint Ring => _ring;

    /// <summary>
    /// Puts one frame in the next TX slot. Returns false when no slot freed up within
    /// <paramref name="timeoutMs"/> or the wait was cancelled.
    /// </summary>
    public bool Send(ReadOnlySpan<byte> frame, int timeoutMs, CancellationToken cancel = default)
    {
        var ring = _port.TxRing(_ring);
        if (frame.Length > ring.BufferSize)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"A frame of {frame.Length} bytes does not fit a {ring.BufferSize}-byte buffer of '{_port.Name}'; it was not sent (frames are never truncated).");
        if (frame.Length < _shortest)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"A frame of {frame.Length} bytes is shorter than the {_shortest} bytes '{_port.Name}' passes on (an Ethernet header: destination MAC, source MAC, EtherType); it was not sent.");
        if (frame.Length > _longest)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"A frame of {frame.Length} bytes is longer than the {_longest} bytes '{_port.Name}' can put on the wire (MTU, Ethernet header and a VLAN tag); it was not sent. Raise the MTU or send shorter frames.");
        if (ring.IsEmpty)
        {
            _port.TxSync();
            if (ring.IsEmpty && !_port.Wait(WaitDirection.Transmit, timeoutMs, cancel)) return false;
        }
        uint head = ring.Head;
        var slot = ring.Slot(head);
        frame.CopyTo(new Span<byte>(ring.Buffer(slot->BufferIndex), (int)ring.BufferSize));
        slot->Length = (ushort)frame.Length;
        slot->Flags &= ~SlotFlags.MoreFragments;
        ring.Advance(ring.Next(head));
        Sent++;
        return true;
    }

    /// <summary>
    /// Syncs until every frame put in the ring has left it, or <paramref name="timeoutMs"/> passes.
    /// Returns false when frames are still pending (the receiver is not taking them). Where one sync
    /// hands every frame to the receiver (kernel pipes), that sync is the flush.
    /// </summary>
    public bool Flush(int timeoutMs, CancellationToken cancel = default)
    {
        var ring = _port.TxRing(_ring);
        long deadline = Deadline.AfterMs(timeoutMs);
        var spin = new SpinWait();
        while (true)
        {
            _port.TxSync();
            if (ring.Space == ring.Slots - 1 || _port.TxSlotsHeldByReceiver) return true;
            if (Environment.TickCount64 >= deadline || cancel.IsCancellationRequested) return false;
            if (spin.NextSpinWillYield) Thread.Sleep(1); else spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}
