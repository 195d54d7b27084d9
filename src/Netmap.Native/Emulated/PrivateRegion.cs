using System.Runtime.InteropServices;
using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>
/// A region in this process's own memory (anonymous, never shared): the netmap layout of an interface
/// port, whose rings only this process sees.
/// </summary>
internal sealed unsafe class PrivateRegion : IDisposable
{
    private nint _memory;

    public PrivateRegion(RegionGeometry geometry, ushort memoryId, string what)
    {
        Layout = new RegionLayout(geometry);
        _memory = LibC.MMap(0, (nuint)Layout.TotalSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        if (_memory == -1) throw Errors.FromErrno("mmap", Marshal.GetLastPInvokeError(), $"of {Layout.TotalSize} bytes for {what}");
        Layout.Initialise(Base, memoryId);
    }

    public RegionLayout Layout { get; }
    public byte* Base => (byte*)_memory;
    public string Description => $"private memory of process {Environment.ProcessId}";

    public void Dispose()
    {
        if (_memory is 0 or -1) return;
        LibC.MUnmap(_memory, (nuint)Layout.TotalSize);
        _memory = 0;
    }
}
