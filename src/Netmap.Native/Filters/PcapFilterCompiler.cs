using System.Runtime.InteropServices;

namespace Netmap.Native.Filters;

/// <summary>Asks libpcap to compile a pcap-filter expression, and copies the program out.</summary>
internal static unsafe class PcapFilterCompiler
{
    // libpcap before 1.8 kept the compiler's state in globals; one compile at a time is cheap safety.
    private static readonly object CompileLock = new();

    /// <summary>Compiles <paramref name="expression"/> for frames of <paramref name="linkType"/>, optimized.</summary>
    public static BpfInstruction[] Compile(string expression, int linkType, int snapLength)
    {
        LibPcap.EnsureLoaded();
        lock (CompileLock)
        {
            nint pcap = LibPcap.OpenDead(linkType, snapLength);
            if (pcap == 0)
                throw new NetmapException(NetmapError.SystemCall, $"pcap_open_dead({linkType}, {snapLength}) failed.");
            try
            {
                LibPcap.BpfProgram program = default;
                if (LibPcap.Compile(pcap, &program, expression, optimize: 1, LibPcap.NetmaskUnknown) != 0)
                {
                    string reason = Marshal.PtrToStringUTF8(LibPcap.GetError(pcap)) ?? "unknown error";
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
