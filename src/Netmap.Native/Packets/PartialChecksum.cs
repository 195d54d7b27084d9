using System.Buffers.Binary;

namespace Netmap.Native.Packets;

/// <summary>
/// Completes the TCP/UDP checksum of a frame sent with checksum offload (CHECKSUM_PARTIAL): the
/// sender's stack left the pseudo-header sum in the checksum field for the NIC to finish. A veth
/// peer with TX checksum offload on (the default) sends such frames; the kernel completes them
/// (skb_checksum_help) before they reach a device that cannot, and so must the emulated adapter
/// before it hands them to the host stack or the wire, or the receiver drops them. A frame whose
/// checksum is valid, or wrong in any other way, is left as it is: the test costs a pseudo-header
/// sum, and the payload is summed only for frames that look partial.
/// </summary>
public static unsafe class PartialChecksum
{
    private const int Tcp = 6, Udp = 17;

    /// <summary>Completes the checksum in place when it is partial; returns true when it did.</summary>
    public static bool Complete(byte* frame, int length)
    {
        if (length < 14) return false;
        var f = new Span<byte>(frame, length);
        int type = BinaryPrimitives.ReadUInt16BigEndian(f[12..]), ip = 14;
        if (type is 0x8100 or 0x88a8 && length >= 18)
        {
            type = BinaryPrimitives.ReadUInt16BigEndian(f[16..]);
            ip = 18;
        }
        int protocol, l4, l4Length;
        uint pseudo;
        if (type == 0x0800 && length >= ip + 20)
        {
            int headerLength = (f[ip] & 0xf) * 4, total = BinaryPrimitives.ReadUInt16BigEndian(f[(ip + 2)..]);
            bool fragment = (BinaryPrimitives.ReadUInt16BigEndian(f[(ip + 6)..]) & 0x3fff) != 0;
            if (f[ip] >> 4 != 4 || headerLength < 20 || total < headerLength || ip + total > length || fragment) return false;
            protocol = f[ip + 9];
            l4 = ip + headerLength;
            l4Length = total - headerLength;
            pseudo = Sum(f.Slice(ip + 12, 8));
        }
        else if (type == 0x86dd && length >= ip + 40)
        {
            protocol = f[ip + 6];   // only a TCP or UDP header right after the fixed header
            l4 = ip + 40;
            l4Length = BinaryPrimitives.ReadUInt16BigEndian(f[(ip + 4)..]);
            if (l4 + l4Length > length) return false;
            pseudo = Sum(f.Slice(ip + 8, 32));
        }
        else return false;
        int field = protocol switch { Tcp => 16, Udp => 6, _ => -1 };
        if (field < 0 || l4Length < field + 2) return false;
        pseudo += (uint)protocol + (uint)l4Length;
        var segment = f.Slice(l4, l4Length);
        ushort stored = BinaryPrimitives.ReadUInt16BigEndian(segment[field..]);
        if (stored != Fold(pseudo)) return false;             // not the pseudo-header sum: not partial
        if (Fold(pseudo + Sum(segment)) == 0xffff) return false; // valid as it is (a 1-in-65,536 coincidence)
        BinaryPrimitives.WriteUInt16BigEndian(segment[field..], 0);
        ushort checksum = (ushort)~Fold(pseudo + Sum(segment));
        if (protocol == Udp && checksum == 0) checksum = 0xffff;   // 0 means "no checksum" in UDP
        BinaryPrimitives.WriteUInt16BigEndian(segment[field..], checksum);
        return true;
    }

    private static uint Sum(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length) sum += (uint)data[i] << 8;
        return Fold(sum);
    }

    private static ushort Fold(ulong sum)
    {
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)sum;
    }
}
