using System.Runtime.InteropServices;
using Netmap.Native.Interop;

namespace Netmap.Native.Kernel;

/// <summary>The file named by @extmem, mapped shared into this process: netmap builds the port's rings and buffers in it.</summary>
internal sealed class ExternalMemoryFile : IDisposable
{
    private const long HugetlbfsMagic = 0x958458f6;

    private ExternalMemoryFile(string path, ExternalMemoryRegion region, long? hugePageSize)
    {
        Path = path;
        Region = region;
        HugePageSize = hugePageSize;
    }

    /// <summary>The file.</summary>
    public string Path { get; }
    /// <summary>Where it is mapped, and its size.</summary>
    public ExternalMemoryRegion Region { get; private set; }
    /// <summary>
    /// The page size of hugetlbfs when the file lives there; null for any other file system. netmap uses a
    /// pool object that spans pages only where those pages are physically consecutive, which huge pages are.
    /// </summary>
    public long? HugePageSize { get; }

    /// <summary>Maps the whole of <paramref name="path"/> read-write and shared.</summary>
    public static ExternalMemoryFile Map(string path, string portName)
    {
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd < 0)
            throw Errors.FromErrno("open", Marshal.GetLastPInvokeError(), $"of the @extmem file '{path}' for '{portName}'");
        try
        {
            long size = LibC.FileInfo(fd).Size;
            var fileSystem = LibC.FileSystemInfo(fd);
            if (size <= 0)
                throw new NetmapException(NetmapError.InvalidRequest,
                    $"'{portName}': the @extmem file '{path}' is empty; size it first (for example 'truncate -s 64M {path}', or a file on hugetlbfs).");
            nint p = LibC.MMap(0, (nuint)size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            if (p == -1) throw Errors.FromErrno("mmap", Marshal.GetLastPInvokeError(), $"of the @extmem file '{path}' ({size} bytes)");
            return new ExternalMemoryFile(path, new ExternalMemoryRegion(p, (ulong)size), fileSystem.Type == HugetlbfsMagic ? fileSystem.BlockSize : null);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>Unmaps the file.</summary>
    public void Dispose()
    {
        if (Region.Address == 0) return;
        LibC.MUnmap(Region.Address, (nuint)Region.Size);
        Region = default;
    }
}
