namespace Netmap.Native.Packets;

/// <summary>
/// Turns a frame into its answer in place, as pkt-gen's pong does: destination and source MAC, IPv4 or
/// IPv6 addresses and UDP or TCP ports change places. No checksum changes: each is a sum over both
/// addresses (and both ports), which swapping leaves as it was. Reads nothing past <c>length</c>.
/// </summary>
public static unsafe class EchoSwap
{
    public static void Swap(byte* frame, int length)
    {
        if (length < 14) return;
        SwapBytes(frame, frame + 6, 6);
        int at = 12;
        ushort type = (ushort)(frame[at] << 8 | frame[at + 1]);
        while (type is 0x8100 or 0x88a8 && length >= at + 6)
        {
            at += 4;
            type = (ushort)(frame[at] << 8 | frame[at + 1]);
        }
        int ip = at + 2;
        int protocol, transport;
        if (type == 0x0800 && length >= ip + 20 && frame[ip] >> 4 == 4)
        {
            SwapBytes(frame + ip + 12, frame + ip + 16, 4);
            bool fragment = ((frame[ip + 6] & 0x1f) | frame[ip + 7]) != 0; // a later fragment has no ports
            protocol = fragment ? -1 : frame[ip + 9];
            transport = ip + (frame[ip] & 0x0f) * 4;
        }
        else if (type == 0x86dd && length >= ip + 40 && frame[ip] >> 4 == 6)
        {
            SwapBytes(frame + ip + 8, frame + ip + 24, 16);
            protocol = frame[ip + 6]; // ports only right after the fixed header
            transport = ip + 40;
        }
        else return;
        if (protocol is 6 or 17 && length >= transport + 4) SwapBytes(frame + transport, frame + transport + 2, 2);
    }

    private static void SwapBytes(byte* a, byte* b, int count)
    {
        for (int i = 0; i < count; i++) (a[i], b[i]) = (b[i], a[i]);
    }
}
