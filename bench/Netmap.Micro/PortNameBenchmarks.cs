using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Attributes;
using Netmap.Native.PortNames;

namespace Netmap.Micro;

/// <summary>
/// Parsing eight port names of every kind (interface, ring, pipe ends, VALE, host rings, flags and
/// memory id, @conf options): PortNameParser.Parse against libnetmap's nmport_parse (+ nmport_undo_parse)
/// on the same names as C strings. One operation is one name.
/// </summary>
[MemoryDiagnoser]
public unsafe class PortNameBenchmarks
{
    private static readonly string[] Names =
    [
        "netmap:eth0", "netmap:eth0-1", "netmap:p{1", "netmap:p}1", "vale0:a", "netmap:eth0*/R@2", "netmap:eth0^",
        "vale1:b@conf:rings=2,slots=512",
    ];
    private const int Count = 8;
    private IntPtr[] _cNames = null!;
    private IntPtr _port;

    [GlobalSetup]
    public void Setup()
    {
        _cNames = Names.Select(n => Marshal.StringToCoTaskMemUTF8(n)).ToArray();
        if (Names.Length != Count) throw new InvalidOperationException("Count must be the number of names");
    }

    [GlobalSetup(Target = nameof(LibnetmapParse))]
    public void SetupLibnetmap()
    {
        Setup();
        _port = Libnetmap.nmport_new();
        if (_port == IntPtr.Zero || LibnetmapParse() != Count) throw new InvalidOperationException("libnetmap did not parse every name");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var p in _cNames) Marshal.FreeCoTaskMem(p);
        if (_port != IntPtr.Zero) Libnetmap.nmport_delete(_port);
        _port = IntPtr.Zero;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Count, Description = "libnetmap nmport_parse"), BenchmarkCategory(Libnetmap.Category)]
    public int LibnetmapParse()
    {
        int parsed = 0;
        for (int i = 0; i < Count; i++)
            if (Libnetmap.nmport_parse(_port, (byte*)_cNames[i]) == 0)
            {
                parsed++;
                Libnetmap.nmport_undo_parse(_port);
            }
        return parsed;
    }

    [Benchmark(OperationsPerInvoke = Count, Description = "PortNameParser.Parse")]
    public int Parse()
    {
        int mode = 0;
        for (int i = 0; i < Count; i++) mode += (int)PortNameParser.Parse(Names[i]).Mode;
        return mode;
    }
}

/// <summary>libnetmap as a shared library (the resolver in Program.cs maps <see cref="Name"/> to it).</summary>
internal static unsafe partial class Libnetmap
{
    public const string Name = "netmap-reference";
    public const string Category = "libnetmap";

    [LibraryImport(Name)] public static partial IntPtr nmport_new();
    [LibraryImport(Name)] public static partial int nmport_parse(IntPtr port, byte* name);
    [LibraryImport(Name)] public static partial void nmport_undo_parse(IntPtr port);
    [LibraryImport(Name)] public static partial void nmport_delete(IntPtr port);
}
