using System.Runtime.InteropServices;
using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>
/// One shared region: a file that names it (and whose locks order its users), and the System V
/// segment that holds it (<see cref="RegionSegment"/>), mapped by every process that holds a port in
/// it. Opening and closing run under an OFD lock on byte 0 of the file; each open port holds an OFD
/// lock on a byte of its own, so the kernel says which holders are alive (locks die with their
/// process). The last holder to leave removes the file; a file whose holders all died is removed by
/// the next open. The segment goes with the last mapping.
/// </summary>
internal sealed unsafe class SharedRegion : IDisposable
{
    private int _fd;
    private nint _base;
    private long _mapped;

    private SharedRegion(string path, int fd) { Path = path; _fd = fd; }

    public string Path { get; }
    public RegionLayout Layout { get; private set; } = null!;
    public byte* Base => (byte*)_base;
    public int HolderIndex { get; private set; } = -1;
    /// <summary>Bytes mapped at <see cref="Base"/>.</summary>
    public long MappedSize => _mapped;
    public RegionHeader* Header => RegionLayout.Header(Base);

    /// <summary>
    /// Opens (creating when absent) the region at <paramref name="path"/> and registers one holder.
    /// <paramref name="claim"/> runs under the admin lock with dead holders already reclaimed; given
    /// whether the region was just created and the holder index, it marks the rings it takes and
    /// returns the port index, or throws to refuse.
    /// </summary>
    public static SharedRegion Attach(string path, RegionGeometry proposed, Func<SharedRegion, bool, int, uint> claim, CancellationToken cancel = default)
    {
        for (int attempt = 0; ; attempt++)
        {
            cancel.ThrowIfCancellationRequested();
            if (attempt == 100)
                throw new NetmapException(NetmapError.Busy, $"The shared region '{path}' keeps being removed or replaced while it is opened; try again.");
            var region = OpenExisting(path) ?? Create(path, proposed);
            if (region is null) continue; // another process published one first: open that
            try
            {
                if (region.TryAttach(claim, cancel)) return region;
            }
            catch
            {
                region.CloseFile();
                throw;
            }
            region.CloseFile(); // the file was removed or replaced while we waited: start again
        }
    }

    /// <summary>The region file at <paramref name="path"/>, opened without creating it; null when there is none.</summary>
    private static SharedRegion? OpenExisting(string path)
    {
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd >= 0) return new SharedRegion(path, fd);
        int errno = Marshal.GetLastPInvokeError();
        return errno == LibC.ENOENT ? null : throw OpenError(path, errno);
    }

    /// <summary>
    /// Makes a new region: its segment (accounted for in full, so a system short of shared memory
    /// refuses it here), laid out, then a file of its own (O_EXCL: never a file that was there) that
    /// names it, put at <paramref name="path"/> only then (rename without replace), so no process ever
    /// sees a region half made. The admin lock is taken first and stays held for <see cref="TryAttach"/>.
    /// Returns null when another process published a region at <paramref name="path"/> meanwhile.
    /// </summary>
    private static SharedRegion? Create(string path, RegionGeometry geometry)
    {
        var layout = new RegionLayout(geometry);
        string temp = $"{path}.new{LibC.GetPid()}-{Random.Shared.Next():x8}";
        int fd = LibC.Open(temp, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0x180 /* 0600 */);
        if (fd < 0) throw OpenError(temp, Marshal.GetLastPInvokeError());
        var region = new SharedRegion(path, fd);
        bool published = false;
        try
        {
            OfdLock.Lock(fd, 0, temp, wait: false); // a sweep leaves a file alone while it is being made
            var (id, address) = RegionSegment.Create(layout.TotalSize, path);
            region._base = address;
            region._mapped = layout.TotalSize;
            region.Layout = layout;
            layout.Initialise(region.Base, MemoryIdFor(path));
            var anchor = new RegionAnchor { Magic = RegionAnchor.MagicValue, SegmentId = id, Size = layout.TotalSize, Nonce = (ulong)Random.Shared.NextInt64() };
            region.Header->Nonce = anchor.Nonce;
            RegionSegment.WriteAnchor(fd, anchor, path);
            if (LibC.RenameNoReplace(temp, path) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EEXIST) return null;
                throw Errors.FromErrno("renameat2", errno, $"publishing '{path}'");
            }
            published = region._created = true;
            return region;
        }
        finally
        {
            if (!published)
            {
                LibC.Unlink(temp);
                region.CloseFile();
            }
        }
    }

    private bool _created;

    private bool TryAttach(Func<SharedRegion, bool, int, uint> claim, CancellationToken cancel)
    {
        var info = LibC.FileInfo(_fd);
        if (info.Uid != LibC.GetUid())
            throw new NetmapException(NetmapError.PermissionDenied,
                $"The shared region '{Path}' belongs to uid {info.Uid}, not to you (uid {LibC.GetUid()}), so its ports cannot be yours. {Remedy(Path)}");
        if ((info.Mode & 0xF000) != 0x8000)
            throw new NetmapException(NetmapError.PermissionDenied,
                $"'{Path}' is not a regular file, so it is no region of NetmapPS; it was left alone. {Remedy(Path)}");
        if (info.Links != 1)
            throw new NetmapException(NetmapError.PermissionDenied,
                $"The shared region '{Path}' has {info.Links} hard links; a region file has exactly one, so another name points at it (perhaps at a file that is not a region at all). It was left untouched. {Remedy(Path)}");
        if (!_created) OfdLock.LockBounded(_fd, 0, Path, AdminLockBoundMs, cancel);
        bool created = _created;
        try
        {
            if (LibC.PathInode(Path) != info.Inode) return false;
            if (!created && !MapExisting()) return false;
            ReclaimDeadHolders();
            int holder = FreeHolderSlot();
            OfdLock.Lock(_fd, RegionLayout.HolderLockBase + holder, Path, wait: false);
            uint port;
            try
            {
                port = claim(this, created, holder);
            }
            catch
            {
                UnlockByte(RegionLayout.HolderLockBase + holder);
                throw;
            }
            var entry = Layout.Holder(Base, holder);
            entry->Pid = LibC.GetPid();
            entry->Port = (int)port;
            Volatile.Write(ref entry->InUse, 1);
            HolderIndex = holder;
            return true;
        }
        catch
        {
            if (!AnyLiveHolder() && LibC.PathInode(Path) == info.Inode) LibC.Unlink(Path);
            throw;
        }
        finally
        {
            UnlockByte(0);
        }
    }

    /// <summary>
    /// Maps the region another process made, through the segment its file names, checked (this user's
    /// own segment, of the size the file says, with the file's nonce, a complete layout that fits it).
    /// A file that names no such segment is never rewritten: while nobody holds it, its name is removed
    /// (false: make a new one; its segment went with its last process); while somebody does, it is an error.
    /// </summary>
    private bool MapExisting()
    {
        if (RegionSegment.ReadAnchor(_fd) is { } anchor && RegionSegment.Attach(anchor, readOnly: false) is var address && address != -1)
        {
            _base = address;
            _mapped = anchor.Size;
            var existing = RegionLayout.ReadGeometry(Base, anchor.Size);
            if (existing is not null && Volatile.Read(ref Header->Ready) == 1)
            {
                Layout = new RegionLayout(existing);
                return true;
            }
            Unmap();
        }
        if (AnyLiveHolder())
            throw new NetmapException(NetmapError.Corrupted,
                $"The shared region '{Path}' is damaged while other processes hold it. Close the ports that use it, then open again.");
        LibC.Unlink(Path);
        return false;
    }

    /// <summary>Holders whose process died leave their entry behind: free it and the rings it held.</summary>
    private void ReclaimDeadHolders()
    {
        for (int i = 0; i < RegionLayout.MaxHolders; i++)
        {
            var entry = Layout.Holder(Base, i);
            if (entry->InUse != 0 && i != HolderIndex && !IsHolderAlive(i)) ReleaseHolder(i);
        }
    }

    private void ReleaseHolder(int holder)
    {
        var g = Layout.Geometry;
        for (uint r = 0; r < g.RingCount; r++)
        {
            var k = Layout.Kring(Base, r);
            if (k->Owner == holder + 1) Volatile.Write(ref k->Owner, 0);
        }
        var entry = Layout.Holder(Base, holder);
        uint port = (uint)entry->Port;
        Volatile.Write(ref entry->InUse, 0);
        if (port >= g.FirstMonitorPort && port < g.PortCapacity && !PortHasOwner(port))
        {
            Layout.Port(Base, port)->MonitorOf = 0;
            Volatile.Write(ref Layout.Port(Base, port)->InUse, 0);
        }
        else if (g.Kind == RegionKind.ValeSwitch && port < g.PortCapacity && !PortHasOwner(port))
            Volatile.Write(ref Layout.Port(Base, port)->InUse, 0);
        else if (g.Kind == RegionKind.Pipe && port < g.FirstMonitorPort && !PortHasOwner(port) && !PortHasOwner(port ^ 1))
        {
            // Neither end is open any more: the pipe and what was queued in it go.
            Volatile.Write(ref Layout.Port(Base, port)->InUse, 0);
            Volatile.Write(ref Layout.Port(Base, port ^ 1)->InUse, 0);
        }
    }

    /// <summary>True when some open port holds one of the rings of <paramref name="port"/>.</summary>
    public bool PortHasOwner(uint port)
    {
        var g = Layout.Geometry;
        for (uint r = 0; r < g.RingsPerPort; r++)
            if (Volatile.Read(ref Layout.Kring(Base, port * g.RingsPerPort + r)->Owner) != 0) return true;
        return false;
    }

    /// <summary>True when a live process holds one of the rings of <paramref name="port"/> (a killed holder's rings do not count).</summary>
    public bool PortHasLiveOwner(uint port)
    {
        var g = Layout.Geometry;
        for (uint r = 0; r < g.RingsPerPort; r++)
        {
            int owner = Volatile.Read(ref Layout.Kring(Base, port * g.RingsPerPort + r)->Owner);
            if (owner != 0 && IsHolderAlive(owner - 1)) return true;
        }
        return false;
    }

    /// <summary>True when holder <paramref name="i"/> is registered and its process still holds its lock.</summary>
    public bool IsHolderAlive(int i)
    {
        if ((uint)i >= RegionLayout.MaxHolders || Volatile.Read(ref Layout.Holder(Base, i)->InUse) == 0) return false;
        return IsHolderLockHeld(i);
    }

    /// <summary>
    /// True when the process of holder <paramref name="i"/> still holds its lock: the kernel's word, not
    /// the region's (whose bytes any process of the user can overwrite).
    /// </summary>
    public bool IsHolderLockHeld(int i) =>
        (uint)i < RegionLayout.MaxHolders && (i == HolderIndex || OfdLock.HeldByOthers(_fd, RegionLayout.HolderLockBase + i, 1, Path));

    /// <summary>How long an open or close waits for another process's open or close of the same region.</summary>
    private const int AdminLockBoundMs = 5000;

    /// <summary>True when any other open file description holds a holder lock: some process still uses the region.</summary>
    private bool AnyLiveHolder() => OfdLock.HeldByOthers(_fd, RegionLayout.HolderLockBase, RegionLayout.MaxHolders, Path);

    private int FreeHolderSlot()
    {
        for (int i = 0; i < RegionLayout.MaxHolders; i++)
            if (Layout.Holder(Base, i)->InUse == 0) return i;
        throw new NetmapException(NetmapError.Busy,
            $"The shared region '{Path}' already has {RegionLayout.MaxHolders} open ports; close some first.");
    }

    /// <summary>Leaves the region: frees this holder's rings, and removes the file when nobody else holds it.</summary>
    public void Dispose()
    {
        if (_fd < 0) return;
        try
        {
            // Closing the file below drops this holder's lock whatever happens here: when the admin
            // lock cannot be had (a stuck process holds it), the tidying is left to the next open.
            try
            {
                OfdLock.LockBounded(_fd, 0, Path, AdminLockBoundMs, CancellationToken.None);
            }
            catch (NetmapException e) when (e.Error == NetmapError.Busy)
            {
                return;
            }
            try
            {
                if (HolderIndex >= 0)
                {
                    ReleaseHolder(HolderIndex);
                    UnlockByte(RegionLayout.HolderLockBase + HolderIndex);
                    HolderIndex = -1;
                }
                ReclaimDeadHolders();
                if (!AnyLiveHolder() && LibC.PathInode(Path) == LibC.FileInfo(_fd).Inode) LibC.Unlink(Path);
            }
            finally
            {
                UnlockByte(0);
            }
        }
        finally
        {
            CloseFile();
        }
    }

    /// <summary>
    /// Removes the region files under <paramref name="directory"/> that belong to this user and that no
    /// live process holds: what processes killed while holding ports left behind. Returns the files removed.
    /// </summary>
    public static IReadOnlyList<string> SweepStale(string directory, string filePrefix)
    {
        var removed = new List<string>();
        if (!Directory.Exists(directory)) return removed;
        foreach (var path in Directory.EnumerateFiles(directory, filePrefix + "*"))
        {
            int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
            if (fd < 0) continue;
            var region = new SharedRegion(path, fd);
            try
            {
                if (!region.TryLockByte(0)) continue; // someone is opening or closing it right now
                var info = LibC.FileInfo(fd);
                // Only what could be a region of ours: the user's own regular file with one name.
                if (info.Uid == LibC.GetUid() && (info.Mode & 0xF000) == 0x8000 && info.Links == 1 && LibC.PathInode(path) == info.Inode)
                {
                    if (!region.AnyLiveHolder() && LibC.Unlink(path) == 0) removed.Add(path);
                }
                region.UnlockByte(0);
            }
            finally
            {
                region.CloseFile();
            }
        }
        return removed;
    }

    private void Unmap()
    {
        RegionSegment.Unmap(_base);
        _base = 0;
        _mapped = 0;
    }

    private void CloseFile()
    {
        Unmap();
        if (_fd >= 0) LibC.Close(_fd);
        _fd = -1;
    }


    private bool TryLockByte(long offset) => OfdLock.TryLock(_fd, offset);

    private void UnlockByte(long offset) => OfdLock.Unlock(_fd, offset);

    private static NetmapException OpenError(string path, int errno) => errno switch
    {
        LibC.EACCES => new NetmapException(NetmapError.PermissionDenied,
            $"Cannot open the shared region '{path}': permission denied; it belongs to another user. {Remedy(path)}") { Errno = errno },
        LibC.ELOOP => new NetmapException(NetmapError.PermissionDenied,
            $"Cannot open the shared region '{path}': it is a symbolic link, which region files never are, so it is not followed. {Remedy(path)}") { Errno = errno },
        LibC.ENOENT => new NetmapException(NetmapError.NotFound,
            $"Cannot create the shared region '{path}': its directory does not exist. Set NETMAPPS_SHM_DIR to a writable tmpfs directory.") { Errno = errno },
        _ => Errors.FromErrno("open", errno, $"of the shared region '{path}'"),
    };

    /// <summary>What to do about a region file someone else put where ours goes.</summary>
    private static string Remedy(string path) =>
        $"Another user created it (by mistake, or to block this name): have it removed (as root: rm '{path}'), " +
        "use another pipe or switch name, or set NETMAPPS_SHM_DIR to a directory only you can write.";

    /// <summary>A stable 16-bit memory id for a region, the same in every process (1000 and up, to stand apart from the kernel's small ids).</summary>
    private static ushort MemoryIdFor(string path)
    {
        uint hash = 2166136261;
        foreach (char c in System.IO.Path.GetFileName(path)) hash = (hash ^ c) * 16777619;
        return (ushort)(1000 + hash % 64000);
    }
}
