using System.Runtime.InteropServices;
using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>What a region file holds: which System V segment holds the region, how large it is, and the nonce its header repeats.</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
internal struct RegionAnchor
{
    public const ulong MagicValue = 0x314E4B4E53504D4E; // "NMPSNKN1"
    public ulong Magic;
    public int SegmentId;
    private int _reserved;
    public long Size;
    public ulong Nonce;
}

/// <summary>
/// The memory of a shared region: a System V segment whose id its region file (the anchor) names.
/// A file can be truncated by any process of the user, and every process that mapped it would then
/// die of SIGBUS at its next touch; a segment keeps its size, so a damaged or truncated file costs
/// at most the name. The segment is marked for removal as soon as it is made, and goes with its
/// last mapping, whatever becomes of its processes.
/// </summary>
internal static unsafe class RegionSegment
{
    /// <summary>Reads the anchor at the start of the region file <paramref name="fd"/>; null when the file holds none.</summary>
    public static RegionAnchor? ReadAnchor(int fd)
    {
        RegionAnchor anchor;
        if (LibC.PRead(fd, &anchor, (nuint)sizeof(RegionAnchor), 0) != sizeof(RegionAnchor)) return null;
        return anchor.Magic == RegionAnchor.MagicValue ? anchor : null;
    }

    /// <summary>Writes <paramref name="anchor"/> at the start of the region file <paramref name="fd"/>.</summary>
    public static void WriteAnchor(int fd, RegionAnchor anchor, string path)
    {
        if (LibC.PWrite(fd, &anchor, (nuint)sizeof(RegionAnchor), 0) == sizeof(RegionAnchor)) return;
        int errno = Marshal.GetLastPInvokeError();
        throw errno == LibC.ENOSPC
            ? new NetmapException(NetmapError.NoMemory,
                $"There is no room for the shared region file '{path}' in {Path.GetDirectoryName(path)}, which is full. Free some room there, or set NETMAPPS_SHM_DIR to another directory.") { Errno = errno }
            : Errors.FromErrno("pwrite", errno, $"writing the shared region file '{path}'");
    }

    /// <summary>
    /// A new segment of <paramref name="size"/> bytes, mapped and marked for removal: its id and address.
    /// </summary>
    /// <remarks>
    /// The kernel accounts for the whole segment here (a system that cannot give that much shared
    /// memory refuses it now, as a typed error); pages are given on first touch, so a pipe whose
    /// buffers are not all used takes less than its size. Unlike a file on a full tmpfs, a segment
    /// never answers a touch with SIGBUS.
    /// </remarks>
    public static (int Id, nint Address) Create(long size, string path)
    {
        int id = SysVSharedMemory.Create(size, out int errno);
        if (id < 0) throw NoRoom(path, size, errno);
        nint address = SysVSharedMemory.Attach(id, readOnly: false, out errno);
        SysVSharedMemory.RemoveWhenUnused(id);
        if (address == -1) throw Errors.FromErrno("shmat", errno, $"mapping the new segment of '{path}'");
        return (id, address);
    }

    /// <summary>
    /// Maps the segment <paramref name="anchor"/> names, once it is checked to be this user's own (mode
    /// 0600, made by this user), of the anchor's size, and to carry the anchor's nonce; -1 when it is not
    /// (gone with its last process, or the anchor was damaged).
    /// </summary>
    public static nint Attach(RegionAnchor anchor, bool readOnly)
    {
        uint uid = LibC.GetUid();
        if (anchor.Size < sizeof(RegionHeader) || SysVSharedMemory.Stat(anchor.SegmentId) is not { } info
            || info.Owner != uid || info.Creator != uid || info.Mode != 0x180 || info.Size != anchor.Size)
            return -1;
        nint address = SysVSharedMemory.Attach(anchor.SegmentId, readOnly, out _);
        if (address == -1) return -1;
        if (Volatile.Read(ref ((RegionHeader*)address)->Nonce) == anchor.Nonce) return address;
        SysVSharedMemory.Detach(address);
        return -1;
    }

    /// <summary>
    /// The region the file <paramref name="fd"/> names, mapped read-only for a listing (no lock, no
    /// holder); null when it names no live segment of this user or the segment holds no complete region.
    /// </summary>
    public static (nint Address, long Size, RegionGeometry Geometry)? MapForReading(int fd) => Map(fd, readOnly: true);

    /// <summary>As <see cref="MapForReading"/>, writable: for the few fields one process sets for another (a detach request).</summary>
    public static (nint Address, long Size, RegionGeometry Geometry)? Map(int fd, bool readOnly)
    {
        if (ReadAnchor(fd) is not { } anchor) return null;
        nint address = Attach(anchor, readOnly);
        if (address == -1) return null;
        byte* b = (byte*)address;
        if (Volatile.Read(ref RegionLayout.Header(b)->Ready) == 1 && RegionLayout.ReadGeometry(b, anchor.Size) is { } geometry)
            return (address, anchor.Size, geometry);
        SysVSharedMemory.Detach(address);
        return null;
    }

    public static void Unmap(nint address) => SysVSharedMemory.Detach(address);

    private static NetmapException NoRoom(string path, long needed, int errno) =>
        new(NetmapError.NoMemory,
            $"There is no room for the shared region '{path}': it needs {needed / 1048576.0:N1} MiB of shared memory " +
            $"and the system refused ({LibC.Describe(errno)}; {MemoryAvailable()}). Close other pipes and switches, " +
            "raise the System V limits (sysctl kernel.shmmax, kernel.shmall) where they are lower, or ask for fewer rings or slots (@conf:rings=1,slots=256).")
        { Errno = errno };

    /// <summary>MemAvailable from /proc/meminfo, in words.</summary>
    private static string MemoryAvailable()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal) && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out long kib))
                    return $"{kib / 1024.0:N1} MiB of memory available";
        }
        catch (IOException) { }
        return "memory available unknown";
    }
}
