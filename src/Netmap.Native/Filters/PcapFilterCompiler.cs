using System.Runtime.InteropServices;

namespace Netmap.Native.Filters;

/// <summary>Asks libpcap to compile a pcap-filter expression, and copies the program out.</summary>
internal static unsafe class PcapFilterCompiler
{
    // libpcap before 1.8 kept the compiler's state in globals; one compile at a time is cheap safety.
    private static readonly object CompileLock = new();

    /// <summary>Compiles <paramref name="expression"/> for frames of <paramref name="linkType"/>, optimized.</summary>
    public static BpfInstruction[] Compile(string expression, int linkType, int snapLength, System.Net.IPAddress? netmask = null)
    {
        LibPcap.EnsureLoaded();
        lock (CompileLock)
        {
            // pcap_open_dead takes a DLT value; capture files carry LINKTYPE values, which differ for a few (LINKTYPE_RAW 101 is DLT_RAW 12)
            nint pcap = LibPcap.OpenDead(linkType == Packets.LinkTypes.Raw ? 12 : linkType, snapLength);
            if (pcap == 0)
                throw new NetmapException(NetmapError.SystemCall, $"pcap_open_dead({linkType}, {snapLength}) failed.");
            try
            {
                LibPcap.BpfProgram program = default;
                // libpcap wants the mask as a number in host order (255.255.255.0 is 0xffffff00): it compares it with loaded words
                uint mask = netmask is null ? LibPcap.NetmaskUnknown : System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(netmask.GetAddressBytes());
                if (LibPcap.Compile(pcap, &program, expression, optimize: 1, mask) != 0)
                {
                    string reason = Marshal.PtrToStringUTF8(LibPcap.GetError(pcap)) ?? "unknown error";
                    if (reason.Contains("netmask not known", StringComparison.Ordinal))
                        reason += ": 'ip broadcast' needs the IPv4 netmask of the port's interface, and there is none here " +
                            "(pipes, VALE ports, capture files and interfaces without an IPv4 address have none); " +
                            "name the broadcast address instead, e.g. 'ip dst host 10.0.0.255 or ip dst host 255.255.255.255'";
                    throw new FilterException($"Invalid filter '{expression}': {reason}", expression);
                }
                try
                {
                    return new ReadOnlySpan<BpfInstruction>(program.Instructions, checked((int)program.Length)).ToArray();
                }
                finally
                {
                    LibPcap.FreeCode(&program);
                }
            }
            finally
            {
                LibPcap.Close(pcap);
            }
        }
    }
}
