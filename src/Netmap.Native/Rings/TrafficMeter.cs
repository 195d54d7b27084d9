using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using Netmap.Native.Abi;
using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// pkt-gen's rx in a loop: counts the frames and bytes arriving on a port's RX rings and hands the
/// slots straight back, without copying or allocating. With a sequence offset it also checks the
/// big-endian sequence numbers that <see cref="SequenceStamp"/> wrote (gaps and reordering).
/// </summary>
public sealed unsafe class TrafficMeter(NetmapPort port, int sequenceOffset = -1, bool busyWait = false)
{
    private readonly ReceiveWait _wait = new(busyWait);
    private uint _expected;
    private bool _started, _unreleased;

    public long Packets { get; private set; }
    public long Bytes { get; private set; }
    /// <summary>Syncs that found at least one frame.</summary>
    public long Batches { get; private set; }
    /// <summary>Sequence numbers that never arrived (pkt-gen's rxseq "gaps").</summary>
    public long Gaps { get; private set; }
    /// <summary>Frames whose sequence number was lower than one already seen.</summary>
    public long Reordered { get; private set; }

    /// <summary>
    /// Counts what the rings hold, waiting up to <paramref name="timeoutMs"/> when they are empty. Returns the frames counted.
    /// </summary>
    /// <remarks>
    /// As pkt-gen's receiver, it makes no sync of its own: the slots it counted go back to the other
    /// side with the sync every wait starts with (poll(2) on /dev/netmap), which the next call makes as
    /// soon as the rings are empty. A batch then costs one system call, not an rxsync ioctl and a poll.
    /// A caller that stops polling and wants the sender to go on calls <see cref="Release"/>.
    /// </remarks>
    public long Poll(int timeoutMs, CancellationToken cancel = default)
    {
        long got = Drain();
        if (got == 0 && _wait.Until(port, timeoutMs, cancel)) got = Drain();
        if (got == 0) _unreleased = false; // the wait synced: what was counted went back
        else
        {
            Batches++;
            _unreleased = true;
        }
        return got;
    }

    /// <summary>Hands the slots counted since the last wait back to the other side now (an rxsync), when there are any.</summary>
    public void Release()
    {
        if (!_unreleased) return;
        port.RxSync();
        _unreleased = false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a receive path: optimized from its first frame (see RingSyncDriver.RxSync)
    private long Drain()
    {
        long got = 0;
        var span = port.RxRings;
        for (uint r = span.First; r < span.End; r++)
        {
            var ring = port.RxRing(r);
            uint head = ring.Head, tail = ring.Tail, slots = ring.Slots; // both checked: stepping keeps head below slots
            NetmapSlot* first = ring.Slot(0);
            long bytes = 0, count = 0;
            for (; head != tail; head = head + 1 == slots ? 0 : head + 1)
            {
                var slot = first + head;
                bytes += slot->Length;
                count++;
                if (sequenceOffset >= 0 && ring.Length(slot) >= sequenceOffset + 4)
                    Check(BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(ring.Buffer(slot->BufferIndex) + sequenceOffset, 4)));
            }
            Bytes += bytes;
            got += count;
            ring.Advance(head);
        }
        Packets += got;
        return got;
    }

    private void Check(uint sequence)
    {
        if (!_started || sequence == _expected) { }
        else if (sequence > _expected) Gaps += sequence - _expected;
        else { Reordered++; return; }
        _started = true;
        _expected = sequence + 1;
    }
}

/// <summary>Writes sequence numbers into frames (big-endian, at a fixed offset: the start of a UDP payload by default).</summary>
public static class SequenceStamp
{
    /// <summary>Bytes 42 to 45: the first four bytes of an untagged IPv4/UDP payload.</summary>
    public const int DefaultOffset = 42;

    public static void Write(Span<byte> frame, uint sequence, int offset = DefaultOffset)
    {
        if (frame.Length < offset + 4)
            throw new NetmapException(NetmapError.InvalidRequest, $"A frame of {frame.Length} bytes has no room for a sequence number at offset {offset}; make it at least {offset + 4} bytes.")
            { Remedy = NetmapRemedy.LengthenFrames, Subject = (offset + 4).ToString() };
        BinaryPrimitives.WriteUInt32BigEndian(frame[offset..], sequence);
    }
}
