namespace Netmap.Native.Capture;

/// <summary>One packet read from a capture file.</summary>
/// <param name="Timestamp">When the packet was captured, in UTC (to the 100 ns a <see cref="DateTime"/> holds).</param>
/// <param name="TimestampNanoseconds">When the packet was captured, in nanoseconds since 1970-01-01 UTC.</param>
/// <param name="InterfaceIndex">The interface it was captured on: the pcapng interface number (counted across sections), 0 in classic pcap files.</param>
/// <param name="InterfaceName">The interface's if_name option, or null (always null in classic pcap files).</param>
/// <param name="LinkType">The link-layer header type (LINKTYPE_/DLT_ value), 1 for Ethernet.</param>
/// <param name="OriginalLength">The packet's length on the wire; <paramref name="Data"/> may be shorter.</param>
/// <param name="Data">The captured bytes, from the link-layer header on.</param>
public sealed record CaptureRecord(
    DateTime Timestamp,
    long TimestampNanoseconds,
    int InterfaceIndex,
    string? InterfaceName,
    int LinkType,
    int OriginalLength,
    byte[] Data)
{
    internal static DateTime ToDateTime(long nanoseconds) => DateTime.UnixEpoch.AddTicks(nanoseconds / 100);
}
