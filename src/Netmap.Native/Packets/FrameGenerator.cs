using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Netmap.Native.Packets;

/// <summary>
/// pkt-gen's generator: writes frames made from one template into packet buffers, with the fields a
/// <see cref="FrameVariation"/> names taking their next value (stepped or random) and the IPv4 header
/// and UDP checksums made to agree. Nothing is built per frame: the checksums are the template's sums
/// without the varying fields (taken once) plus the varying fields' words, so a frame costs a copy of
/// its bytes and a few dozen additions, whatever its length.
/// </summary>
public sealed unsafe class FrameGenerator
{
    private const int SrcPort = 0, SrcAddr = 1, DstPort = 2, DstAddr = 3, SrcMac = 4, DstMac = 5, Len = 6;

    private readonly byte[] _frame; // the template, zero-padded to the longest length; pinned
    private readonly byte* _source;
    private readonly ValueSet?[] _sets;
    private readonly int[] _varying; // the fields with more than one value, fastest first: the only ones a frame changes
    private readonly bool _lengthVaries, _srcMac, _dstMac;
    private readonly ulong[] _index = new ulong[7], _value = new ulong[7];
    private readonly bool _random, _udp, _udpChecksum;
    private readonly int _l3 = -1, _l4 = -1, _templateLength;
    private readonly uint _ipBase, _udpBase;
    private bool _started;
    private ulong _seed;

    /// <param name="template">The frame to start from: any frame when only MACs vary; an IPv4/UDP frame (untagged or with one VLAN tag) for addresses, ports or length.</param>
    /// <exception cref="NetmapException">The template cannot carry the variation (InvalidRequest): not IPv4/UDP, or a length too short for its headers and payload.</exception>
    public FrameGenerator(ReadOnlySpan<byte> template, FrameVariation variation, ulong seed = 0)
    {
        Variation = variation;
        Udp = UdpWithChecksum(template);
        _sets = variation.Fields();
        _varying = Enumerable.Range(0, _sets.Length).Where(f => _sets[f] is { Count: > 1 }).ToArray();
        (_lengthVaries, _srcMac, _dstMac) = (_sets[Len] is not null, _sets[SrcMac] is not null, _sets[DstMac] is not null);
        _random = variation.Random;
        _templateLength = template.Length;
        _seed = seed != 0 ? seed : (ulong)Environment.TickCount64 * 0x9E3779B97F4A7C15UL | 1;
        if (template.Length < 14)
            throw new NetmapException(NetmapError.InvalidRequest, $"A frame of {template.Length} bytes has no Ethernet header to vary.");
        int contentEnd = template.Length;
        if (variation.NeedsUdp)
        {
            (_l3, _l4, contentEnd) = UdpLayout(template);
            _udp = true;
            _udpChecksum = BinaryPrimitives.ReadUInt16BigEndian(template[(_l4 + 6)..]) != 0;
        }
        if (variation.Length is { } lengths)
        {
            if (lengths.Min < (ulong)contentEnd)
                throw new NetmapException(NetmapError.InvalidRequest,
                    $"A length of {lengths.Min} bytes cannot hold the {contentEnd} bytes of the frame's headers and payload; start the lengths at {contentEnd} or more.");
            if (lengths.Max > 65535)
                throw new NetmapException(NetmapError.InvalidRequest, $"A length of {lengths.Max} bytes is more than an IPv4 packet can carry.");
        }
        int longest = (int)Math.Max((ulong)template.Length, variation.Length?.Max ?? 0);
        _frame = GC.AllocateArray<byte>(longest, pinned: true);
        // with a varying length the bytes after the payload (Ethernet padding) become payload: zeros, as in every new frame
        template[..(variation.Length is null ? template.Length : contentEnd)].CopyTo(_frame);
        _source = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_frame, 0);
        _value[SrcMac] = Read48(6);
        _value[DstMac] = Read48(0);
        _value[Len] = (ulong)template.Length;
        if (_udp)
        {
            _value[SrcAddr] = BinaryPrimitives.ReadUInt32BigEndian(_frame.AsSpan(_l3 + 12));
            _value[DstAddr] = BinaryPrimitives.ReadUInt32BigEndian(_frame.AsSpan(_l3 + 16));
            _value[SrcPort] = BinaryPrimitives.ReadUInt16BigEndian(_frame.AsSpan(_l4));
            _value[DstPort] = BinaryPrimitives.ReadUInt16BigEndian(_frame.AsSpan(_l4 + 2));
            // the sums of the headers without the fields written per frame (checksum, addresses, lengths, ports)
            _ipBase = Sum(_frame.AsSpan(_l3, _l4 - _l3), 2, 10, 12, 14, 16, 18);
            _udpBase = Sum(_frame.AsSpan(_l4, contentEnd - _l4), 0, 2, 4, 6) + 17; // + the pseudo-header's protocol
        }
        for (int f = 0; f < _sets.Length; f++)
            if (_sets[f] is { Count: 1 } single) _value[f] = single.At(0); // set once: a frame never changes it
    }

    public FrameVariation Variation { get; }

    /// <summary>Where the IPv4 and UDP headers of its frames are when they carry a UDP checksum; null otherwise.</summary>
    public (int L3, int L4)? Udp { get; }

    /// <summary>How many frames one turn of every stepped field takes (the product of the set sizes; ulong.MaxValue when more).</summary>
    public ulong Period => _sets.Aggregate(1UL, (p, s) => s is null ? p : Math.BigMul(p, s.Count, out ulong low) == 0 ? low : ulong.MaxValue);

    /// <summary>Moves to the next frame and returns its length.</summary>
    public int Next()
    {
        if (_random) PickAtRandom();
        else if (_started) Step();
        _started = true;
        foreach (int f in _varying) _value[f] = _sets[f]!.At(_index[f]);
        return _lengthVaries ? (int)_value[Len] : _templateLength;
    }

    /// <summary>Writes the frame <see cref="Next"/> moved to into <paramref name="buffer"/> (room for its length checked by the caller).</summary>
    public void Write(byte* buffer)
    {
        int length = _lengthVaries ? (int)_value[Len] : _templateLength;
        Rings.FrameCopy.Copy(_source, buffer, length);
        if (_dstMac) Write48(buffer, _value[DstMac]);
        if (_srcMac) Write48(buffer + 6, _value[SrcMac]);
        if (!_udp) return;
        byte* ip = buffer + _l3, udp = buffer + _l4;
        uint src = (uint)_value[SrcAddr], dst = (uint)_value[DstAddr];
        ushort sport = (ushort)_value[SrcPort], dport = (ushort)_value[DstPort];
        ushort ipLength = _lengthVaries ? (ushort)(length - _l3) : Read16(ip + 2);
        ushort udpLength = _lengthVaries ? (ushort)(length - _l4) : Read16(udp + 4);
        uint addresses = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF);
        Write16(ip + 2, ipLength);
        Write32(ip + 12, src);
        Write32(ip + 16, dst);
        Write16(ip + 10, (ushort)~Fold(_ipBase + addresses + ipLength));
        Write16(udp, sport);
        Write16(udp + 2, dport);
        Write16(udp + 4, udpLength);
        if (!_udpChecksum) return; // the template sends none (0): neither do its variations
        ushort sum = (ushort)~Fold(_udpBase + addresses + 2u * udpLength + sport + dport);
        Write16(udp + 6, sum == 0 ? (ushort)0xFFFF : sum); // 0 would say "no checksum"
    }

    /// <summary>The next frame as a new array (for a frame shown or saved, not for the send loop).</summary>
    public byte[] NextFrame()
    {
        var frame = new byte[Next()];
        fixed (byte* f = frame) Write(f);
        return frame;
    }

    /// <summary>Turns the fastest field; a field that wrapped turns the next, as an odometer does.</summary>
    private void Step()
    {
        foreach (int f in _varying)
        {
            if (++_index[f] < _sets[f]!.Count) return;
            _index[f] = 0;
        }
    }

    private void PickAtRandom()
    {
        foreach (int f in _varying) _index[f] = NextRandom() % _sets[f]!.Count;
    }

    /// <summary>xorshift64*: fast, no allocation, and enough to spread flows.</summary>
    private ulong NextRandom()
    {
        _seed ^= _seed >> 12;
        _seed ^= _seed << 25;
        _seed ^= _seed >> 27;
        return (_seed * 0x2545F4914F6CDD1DUL) >> 11;
    }

    /// <summary>Where the IPv4 and UDP headers start in an IPv4/UDP frame that has a UDP checksum; null for any other frame.</summary>
    internal static (int L3, int L4)? UdpWithChecksum(ReadOnlySpan<byte> frame)
    {
        try
        {
            var (l3, l4, _) = UdpLayout(frame);
            return BinaryPrimitives.ReadUInt16BigEndian(frame[(l4 + 6)..]) != 0 ? (l3, l4) : null;
        }
        catch (NetmapException)
        {
            return null;
        }
    }

    /// <summary>Where the IPv4 and UDP headers start and where the IP packet ends.</summary>
    private static (int L3, int L4, int End) UdpLayout(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14) throw new NetmapException(NetmapError.InvalidRequest, $"A frame of {frame.Length} bytes has no Ethernet header.");
        int l3 = 14;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        if (type == 0x8100 && frame.Length >= 18)
        {
            type = BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
            l3 = 18;
        }
        if (type != 0x0800 || frame.Length < l3 + 20 || frame[l3] >> 4 != 4 || frame[l3 + 9] != 17)
            throw new NetmapException(NetmapError.InvalidRequest,
                "Only IPv4/UDP frames (untagged or with one VLAN tag) can have their addresses, ports or length varied, as pkt-gen sends; this frame is not one.");
        int l4 = l3 + (frame[l3] & 0x0F) * 4;
        int end = l3 + BinaryPrimitives.ReadUInt16BigEndian(frame[(l3 + 2)..]);
        if ((frame[l3] & 0x0F) < 5 || end > frame.Length || l4 + 8 > end)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"The IPv4/UDP frame of {frame.Length} bytes has inconsistent header lengths (IP header {(frame[l3] & 0x0F) * 4} bytes, total length {end - l3}).");
        return (l3, l4, end);
    }

    /// <summary>The one's-complement sum (unfolded) of <paramref name="bytes"/> as big-endian words, the words at <paramref name="skip"/> taken as zero.</summary>
    private static uint Sum(ReadOnlySpan<byte> bytes, params int[] skip)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < bytes.Length; i += 2)
            if (Array.IndexOf(skip, i) < 0) sum += BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
        if ((bytes.Length & 1) == 1) sum += (uint)bytes[^1] << 8;
        return sum;
    }

    private static uint Fold(uint sum)
    {
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (sum & 0xFFFF) + (sum >> 16);
    }

    private ulong Read48(int at) => (ulong)BinaryPrimitives.ReadUInt16BigEndian(_frame.AsSpan(at)) << 32 | BinaryPrimitives.ReadUInt32BigEndian(_frame.AsSpan(at + 2));
    private static ushort Read16(byte* p) => (ushort)(p[0] << 8 | p[1]);
    private static void Write16(byte* p, ushort v) { p[0] = (byte)(v >> 8); p[1] = (byte)v; }
    private static void Write32(byte* p, uint v) => BinaryPrimitives.WriteUInt32BigEndian(new Span<byte>(p, 4), v);
    private static void Write48(byte* p, ulong v) { Write16(p, (ushort)(v >> 32)); Write32(p + 2, (uint)v); }
}
