using System.Buffers.Binary;

namespace Netmap.Native.Rings;

/// <summary>
/// A symmetric flow hash: both directions of a flow get the same value, as netmap's lb asks of its
/// hash. The flow is the protocol and the two endpoints (address and port) of an IPv4 or IPv6 frame,
/// behind up to two VLAN tags; TCP, UDP and SCTP give ports, other protocols and fragments port 0; a
/// frame that is not IP is the pair of its MAC addresses. The two endpoints (address bytes, then the
/// port big-endian) are put in order, lower first, and hashed with 32-bit FNV-1a over protocol, lower,
/// higher, then mixed with murmur3's 32-bit finalizer (fmix32): FNV-1a alone keeps the low bits of the
/// bytes in the low bits of the hash, so modulo 2 or 4 it would split flows badly. Nothing is allocated.
/// </summary>
public static unsafe class FlowHash
{
    private const uint OffsetBasis = 2166136261, Prime = 16777619;

    /// <summary>The hash of the frame at <paramref name="frame"/>, <paramref name="length"/> bytes long.</summary>
    public static uint Of(byte* frame, int length)
    {
        if (length < 12) return Mix(OffsetBasis);
        int at = 12;
        ushort type = length >= 14 ? BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(frame + 12, 2)) : (ushort)0;
        for (int tags = 0; tags < 2 && type is 0x8100 or 0x88a8 && length >= at + 6; tags++)
        {
            at += 4;
            type = BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(frame + at, 2));
        }
        at += 2; // the network header
        if (type == 0x0800 && length >= at + 20 && (frame[at] >> 4) == 4)
        {
            int headerLength = (frame[at] & 0xf) * 4;
            byte protocol = frame[at + 9];
            bool fragment = (BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(frame + at + 6, 2)) & 0x3fff) != 0;
            byte* ports = fragment || headerLength < 20 ? null : Ports(frame, length, at + headerLength, protocol);
            return Flow(protocol, frame + at + 12, frame + at + 16, 4, ports);
        }
        if (type == 0x86dd && length >= at + 40 && (frame[at] >> 4) == 6)
        {
            byte protocol = frame[at + 6];
            return Flow(protocol, frame + at + 8, frame + at + 24, 16, Ports(frame, length, at + 40, protocol));
        }
        return Flow(0, frame, frame + 6, 6, null);
    }

    /// <summary>Where the source and destination ports are, for TCP, UDP and SCTP whose ports are in the frame; else null.</summary>
    private static byte* Ports(byte* frame, int length, int at, byte protocol) =>
        protocol is 6 or 17 or 132 && length >= at + 4 ? frame + at : null;

    private static uint Flow(byte protocol, byte* a, byte* b, int addressLength, byte* ports)
    {
        ushort portA = ports == null ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(ports, 2));
        ushort portB = ports == null ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(ports + 2, 2));
        int order = new ReadOnlySpan<byte>(a, addressLength).SequenceCompareTo(new ReadOnlySpan<byte>(b, addressLength));
        if (order > 0 || (order == 0 && portA > portB))
        {
            byte* first = b;
            b = a;
            a = first;
            (portA, portB) = (portB, portA);
        }
        uint hash = Add(OffsetBasis, protocol);
        hash = Endpoint(hash, a, addressLength, portA);
        return Mix(Endpoint(hash, b, addressLength, portB));
    }

    /// <summary>murmur3's fmix32: every bit of the result depends on every bit of <paramref name="hash"/>.</summary>
    private static uint Mix(uint hash)
    {
        hash ^= hash >> 16;
        hash *= 0x85ebca6b;
        hash ^= hash >> 13;
        hash *= 0xc2b2ae35;
        return hash ^ (hash >> 16);
    }

    private static uint Endpoint(uint hash, byte* address, int addressLength, ushort port)
    {
        for (int i = 0; i < addressLength; i++) hash = Add(hash, address[i]);
        return Add(Add(hash, (byte)(port >> 8)), (byte)port);
    }

    private static uint Add(uint hash, byte value) => (hash ^ value) * Prime;
}
