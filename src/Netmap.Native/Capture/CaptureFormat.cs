namespace Netmap.Native.Capture;

/// <summary>The capture file formats the writers produce.</summary>
public enum CaptureFormat
{
    /// <summary>Classic libpcap format with nanosecond timestamps (magic 0xa1b23c4d); one link type per file, no interface names.</summary>
    Pcap,
    /// <summary>pcapng: a section header, one Interface Description Block per interface, Enhanced Packet Blocks with nanosecond timestamps.</summary>
    PcapNg,
}
