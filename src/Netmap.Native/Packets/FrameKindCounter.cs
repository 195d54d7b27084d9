namespace Netmap.Native.Packets;

/// <summary>
/// Counts frames by kind (ARP, IPv4 UDP, TCP, ICMP, IPv6, other) from their first bytes in the
/// ring, without allocating: what a receive saw, for a report when nothing it saw was wanted.
/// </summary>
public sealed unsafe class FrameKindCounter
{
    private static readonly string[] Names = ["ARP", "IPv4 UDP", "IPv4 TCP", "ICMP", "other IPv4", "IPv6", "other"];
    private readonly long[] _counts = new long[Names.Length];

    public void Count(byte* frame, int length) => _counts[Classify(frame, length)]++;

    /// <summary>Frames counted since the last <see cref="Reset"/>.</summary>
    public long Total => _counts.Sum();

    public void Reset() => Array.Clear(_counts);

    /// <summary>'3 ARP, 2 IPv4 UDP': the kinds seen, most frequent first.</summary>
    public override string ToString() => string.Join(", ",
        _counts.Select((n, i) => (n, i)).Where(c => c.n > 0).OrderByDescending(c => c.n).Select(c => $"{c.n} {Names[c.i]}"));

    private static int Classify(byte* f, int length)
    {
        if (length < 14) return 6;
        int type = f[12] << 8 | f[13], ip = 14;
        if (type is 0x8100 or 0x88a8 && length >= 18)
        {
            type = f[16] << 8 | f[17];
            ip = 18;
        }
        return type switch
        {
            0x0806 => 0,
            0x86dd => 5,
            0x0800 when length >= ip + 10 => f[ip + 9] switch { 17 => 1, 6 => 2, 1 => 3, _ => 4 },
            0x0800 => 4,
            _ => 6,
        };
    }
}
