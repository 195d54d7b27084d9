using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Netmap.Native.Filters;

/// <summary>
/// The few libpcap calls that turn a filter expression into classic BPF without a device
/// (<c>pcap/pcap.h</c>): <c>pcap_open_dead</c>, <c>pcap_compile</c>, <c>pcap_geterr</c>,
/// <c>pcap_freecode</c>, <c>pcap_close</c>. Debian's <c>libpcap.so.0.8</c> is tried first, then
/// <c>libpcap.so</c> and <c>pcap</c>.
/// </summary>
internal static unsafe partial class LibPcap
{
    private const string Lib = "libpcap.so.0.8";

    /// <summary>The names tried, in order, to find libpcap.</summary>
    internal static readonly string[] Candidates = [Lib, "libpcap.so", "pcap"];

    /// <summary>PCAP_NETMASK_UNKNOWN: "ip broadcast" then fails to compile, everything else works.</summary>
    public const uint NetmaskUnknown = 0xffffffff;

    /// <summary><c>struct bpf_program</c>: an instruction count and a pointer to <c>struct bpf_insn</c>s.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BpfProgram
    {
        public uint Length;
        public BpfInstruction* Instructions;
    }

    private static readonly object LoadLock = new();
    private static nint _handle;

    [LibraryImport(Lib, EntryPoint = "pcap_open_dead")]
    public static partial nint OpenDead(int linkType, int snapLength);

    [LibraryImport(Lib, EntryPoint = "pcap_compile", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Compile(nint pcap, BpfProgram* program, string expression, int optimize, uint netmask);

    [LibraryImport(Lib, EntryPoint = "pcap_geterr")]
    public static partial nint GetError(nint pcap);

    [LibraryImport(Lib, EntryPoint = "pcap_freecode")]
    public static partial void FreeCode(BpfProgram* program);

    [LibraryImport(Lib, EntryPoint = "pcap_close")]
    public static partial void Close(nint pcap);

    /// <summary>
    /// Loads libpcap once, so that the imports above resolve (through the load context's
    /// fallback when <c>libpcap.so.0.8</c> itself is not the name it has here); throws a
    /// <see cref="NetmapException"/> saying which Debian package to install when it is missing.
    /// </summary>
    public static void EnsureLoaded()
    {
        lock (LoadLock)
        {
            if (_handle != 0)
                return;
            _handle = Load(Candidates);
            AssemblyLoadContext context = AssemblyLoadContext.GetLoadContext(typeof(LibPcap).Assembly) ?? AssemblyLoadContext.Default;
            context.ResolvingUnmanagedDll += (assembly, name) =>
                assembly == typeof(LibPcap).Assembly && name == Lib ? _handle : 0;
        }
    }

    /// <summary>Loads the first of <paramref name="names"/> that can be loaded, or throws NotSupported.</summary>
    internal static nint Load(IEnumerable<string> names)
    {
        Assembly assembly = typeof(LibPcap).Assembly;
        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, assembly, DllImportSearchPath.SafeDirectories, out nint handle))
                return handle;
        }
        throw new NetmapException(NetmapError.NotSupported,
            $"Packet filters need libpcap, which was not found (tried {string.Join(", ", names)}): " +
            "install libpcap0.8 (apt-get install libpcap0.8).");
    }
}
