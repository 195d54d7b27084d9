using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Netmap.Native.Abi;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// The transmit loop: copies frames into free TX slots, syncs when the ring is full (waiting for
/// room rather than dropping), and flushes at the end. Frames put in with <see cref="Claim"/> and
/// <see cref="Commit"/> are published (head and cur moved) once per batch, by the next sync or wait
/// made through this class; <see cref="Send"/> publishes each frame at once.
/// </summary>
public sealed unsafe class PacketTransmitter
{
    private readonly NetmapPort _port;
    private readonly uint _ring;
    private readonly RingView _view;
    private readonly int _shortest, _longest;
    private readonly NetmapSlot* _slots;
    private uint _head, _room;
    private bool _unpublished;
    private uint[]? _holds; // per slot, while one frame is repeated with reuse: the buffer index known to hold it
    private const uint Unknown = uint.MaxValue;

    public PacketTransmitter(NetmapPort port, uint? ring = null)
    {
        _port = port;
        var span = port.TxRings;
        if (span.Count == 0)
            throw new NetmapException(NetmapError.InvalidRequest, $"'{port.Name}' has no TX rings registered (was it opened with /R?).");
        _ring = ring ?? span.First;
        if (!span.Contains(_ring))
            throw new NetmapException(NetmapError.InvalidRequest, $"'{port.Name}': TX ring {_ring} is not registered; this port holds TX rings {span}.");
        _view = port.TxRing(_ring);
        _slots = _view.Slot(0);
        (_shortest, _longest) = port.FrameLimits(_ring);
    }

    public long Sent { get; private set; }

    /// <summary>Syncs made (pkt-gen's "events": each hands a batch of frames to the other side).</summary>
    public long Syncs { get; private set; }

    /// <summary>Hands what was put in the ring over now (a txsync), as a burst ends.</summary>
    public void Sync()
    {
        Publish();
        _port.TxSync();
        Syncs++;
    }

    /// <summary>
    /// While true, every frame put in is one and the same (a frame repeated by a send), and a buffer this
    /// transmitter already wrote it into is not written again when its slot comes round, unless the kernel
    /// gave the slot another buffer (its index differs, or NS_BUF_CHANGED is set): pkt-gen tx's default.
    /// Setting it forgets what the buffers held. A receiver that writes into its buffers in place (a pipe's
    /// other end may) changes what later turns send, as with pkt-gen.
    /// </summary>
    public bool ReuseBuffers
    {
        get => _holds is not null;
        set
        {
            if (!value) { _holds = null; return; }
            _holds ??= new uint[_view.Slots];
            Array.Fill(_holds, Unknown);
        }
    }

    /// <summary>With <see cref="ReuseBuffers"/>: the buffer <see cref="ClaimChecked"/> returned already holds the repeated frame.</summary>
    public bool ClaimedHoldsFrame => _holds is not null && HoldsFrame(_holds, _slots + _head, _head);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HoldsFrame(uint[] holds, NetmapSlot* slot, uint at) =>
        holds[at] == slot->BufferIndex && (slot->Flags & SlotFlags.BufferChanged) == 0;

    /// <summary>The TX ring this transmitter fills (NETMAP_TXRING numbering).</summary>
    public uint Ring => _ring;

    /// <summary>
    /// Puts one frame in the next TX slot. Returns false when no slot freed up within
    /// <paramref name="timeoutMs"/> or the wait was cancelled.
    /// </summary>
    /// <remarks>
    /// As a netmap application does, it keeps head and the room it owns in hand between syncs and
    /// reads the ring's pointers again only when that room is used up.
    /// </remarks>
    public bool Send(ReadOnlySpan<byte> frame, int timeoutMs, CancellationToken cancel = default)
    {
        byte* buffer = Claim(frame.Length, timeoutMs, cancel);
        if (buffer == null) return false;
        fixed (byte* source = frame) FrameCopy.Copy(source, buffer, frame.Length); // fits: Claim checked
        Commit(frame.Length);
        Publish();
        return true;
    }

    /// <summary>
    /// The buffer of the next free TX slot, for a frame of <paramref name="length"/> bytes that the
    /// caller writes in place and then hands over with <see cref="Commit"/>; null when no slot freed
    /// up within <paramref name="timeoutMs"/> or the wait was cancelled.
    /// </summary>
    public byte* Claim(int length, int timeoutMs, CancellationToken cancel = default)
    {
        CheckLength(length);
        return ClaimChecked(timeoutMs, cancel);
    }

    /// <summary><see cref="Claim"/> for a frame whose length <see cref="CheckLength"/> already passed (a loop sending one frame over and over checks it once).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* ClaimChecked(int timeoutMs, CancellationToken cancel = default)
    {
        if (_room == 0 && !TakeRoom(timeoutMs, cancel)) return null;
        return _view.Buffer(_slots[_head].BufferIndex); // _head is below Slots: read from the ring checked, then stepped with Next
    }

    /// <summary>Puts the frame written in the buffer <see cref="Claim"/> returned in the ring (<paramref name="length"/> as claimed); it goes out with the next sync.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit(int length)
    {
        var slot = _slots + _head;
        if (_holds is not null) _holds[_head] = slot->BufferIndex;
        slot->Length = (ushort)length;
        slot->Flags &= ~SlotFlags.MoreFragments;
        _head = _view.Next(_head);
        _room--;
        _unpublished = true;
        Sent++;
    }

    /// <summary>
    /// Puts up to <paramref name="count"/> copies of a frame of 32 to 64 bytes (<see cref="FrameCopy.IsInline"/>) whose
    /// length <see cref="CheckLength"/> passed in the free slots, waiting for room only when there is none (one wait,
    /// as <see cref="ClaimChecked"/>), and commits them. Returns the copies put in: 0 when no room came within
    /// <paramref name="timeoutMs"/> or the wait was cancelled.
    /// </summary>
    /// <remarks>
    /// pkt-gen's send loop: the frame is read once into four vectors, and the run over the room in hand keeps
    /// everything in registers (no call inside the loop, so nothing is spilled): per frame, one buffer index read
    /// and checked, four 16-byte stores (none for a buffer that holds the frame, with <see cref="ReuseBuffers"/>),
    /// the length and the flags.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int CommitCopies(byte* frame, int length, int count, int timeoutMs, CancellationToken cancel = default)
    {
        if (!FrameCopy.IsInline(length)) throw new ArgumentOutOfRangeException(nameof(length), length, "CommitCopies takes frames of 32 to 64 bytes.");
        if (count <= 0 || _room == 0 && !TakeRoom(timeoutMs, cancel)) return 0;
        int run = (int)Math.Min((uint)count, _room), done = 0;
        var ring = _view.Layout;
        var holds = _holds;
        uint head = _head, bad = 0;
        var (a, b) = (Vector128.Load(frame), Vector128.Load(frame + 16));
        var (c, d) = (Vector128.Load(frame + length - 32), Vector128.Load(frame + length - 16));
        for (; done < run; done++)
        {
            var slot = ring.Slots + head;
            uint index = slot->BufferIndex;
            if (index >= ring.Buffers) { bad = index; break; }
            if (holds is null || !HoldsFrame(holds, slot, head))
            {
                byte* to = ring.Pool + (ulong)index * ring.BufferSize;
                a.Store(to);
                b.Store(to + 16);
                c.Store(to + length - 32);
                d.Store(to + length - 16);
                if (holds is not null) holds[head] = index;
            }
            slot->Length = (ushort)length;
            slot->Flags &= ~SlotFlags.MoreFragments;
            head = head + 1 == ring.Count ? 0 : head + 1;
        }
        _head = head;
        _room -= (uint)done;
        _unpublished |= done > 0;
        Sent += done;
        if (done < run) _view.Buffer(bad); // throws: a buffer index out of the mapping (the copies before it are committed)
        return done;
    }

    /// <summary>Moves head and cur past the frames committed since the last publication.</summary>
    private void Publish()
    {
        if (!_unpublished) return;
        _view.Advance(_head);
        _unpublished = false;
    }

    /// <summary>Throws when a frame of <paramref name="length"/> bytes cannot go out on this ring (too long for a buffer or the wire, shorter than the port passes on).</summary>
    /// <exception cref="NetmapException">It cannot (InvalidRequest).</exception>
    public void CheckLength(int length)
    {
        if (length > _view.BufferSize)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"A frame of {length} bytes does not fit a {_view.BufferSize}-byte buffer of '{_port.Name}'; it was not sent (frames are never truncated).");
        if (length < _shortest)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"A frame of {length} bytes is shorter than the {_shortest} bytes '{_port.Name}' passes on (an Ethernet header: destination MAC, source MAC, EtherType); it was not sent.");
        if (length > _longest)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"A frame of {length} bytes is longer than the {_longest} bytes '{_port.Name}' can put on the wire (MTU, Ethernet header and a VLAN tag); it was not sent. Raise the MTU or send shorter frames.");
    }

    /// <summary>
    /// Reads how many slots the user owns; when there are none, waits for room. The wait starts with
    /// the txsync that hands the frames over (poll(2) on /dev/netmap), so a full ring costs one system
    /// call, as in pkt-gen's loop.
    /// </summary>
    private bool TakeRoom(int timeoutMs, CancellationToken cancel)
    {
        if (!_port.IsOpen) _port.TxRing(_ring); // throws Closed: a loop stops within a ring's worth of frames
        Publish();
        _head = _view.Head;
        _room = _view.Space;
        if (_room > 0) return true;
        Syncs++;
        if (!_port.Wait(WaitDirection.Transmit, timeoutMs, cancel)) return false;
        _room = _view.Space;
        return _room > 0;
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
        Publish();
        _room = 0; // the sync below changes what the user owns: read it again at the next send
        while (true)
        {
            Sync();
            if (ring.Space == ring.Slots - 1 || _port.TxSlotsHeldByReceiver) return true;
            if (Environment.TickCount64 >= deadline || cancel.IsCancellationRequested) return false;
            if (spin.NextSpinWillYield) Thread.Sleep(1); else spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}
