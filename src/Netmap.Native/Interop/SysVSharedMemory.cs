using System.Runtime.InteropServices;

namespace Netmap.Native.Interop;

/// <summary>
/// System V shared memory segments (shmget, shmat, shmctl): memory several processes map whose size
/// is fixed when it is made. Unlike a file, no process can shrink it under the others' mappings, so
/// no access to it can ever raise SIGBUS.
/// </summary>
internal static unsafe partial class SysVSharedMemory
{
    private const string Lib = "libc";
    private const int IPC_PRIVATE = 0, IPC_CREAT = 0x200, IPC_EXCL = 0x400, IPC_RMID = 0, IPC_STAT = 2, SHM_RDONLY = 0x1000;

    /// <summary>What IPC_STAT says about a segment (struct shmid_ds on x86-64 and arm64: uid at 4, cuid at 12, mode at 20, size at 48, attaches at 88).</summary>
    public readonly record struct SegmentInfo(uint Owner, uint Creator, uint Mode, long Size, long Attaches);

    [LibraryImport(Lib, EntryPoint = "shmget", SetLastError = true)]
    private static partial int ShmGet(int key, nuint size, int flags);

    [LibraryImport(Lib, EntryPoint = "shmat", SetLastError = true)]
    private static partial nint ShmAt(int id, nint address, int flags);

    [LibraryImport(Lib, EntryPoint = "shmdt", SetLastError = true)]
    private static partial int ShmDt(nint address);

    [LibraryImport(Lib, EntryPoint = "shmctl", SetLastError = true)]
    private static partial int ShmCtl(int id, int command, byte* buffer);

    /// <summary>A new private segment of <paramref name="size"/> bytes, mode 0600; -1 with the errno when refused.</summary>
    public static int Create(long size, out int errno)
    {
        int id = ShmGet(IPC_PRIVATE, (nuint)size, IPC_CREAT | IPC_EXCL | 0x180);
        errno = id < 0 ? Marshal.GetLastPInvokeError() : 0;
        return id;
    }

    /// <summary>Maps segment <paramref name="id"/>; -1 with the errno when it cannot (gone, or not this user's).</summary>
    public static nint Attach(int id, bool readOnly, out int errno)
    {
        nint address = ShmAt(id, 0, readOnly ? SHM_RDONLY : 0);
        errno = address == -1 ? Marshal.GetLastPInvokeError() : 0;
        return address;
    }

    public static void Detach(nint address)
    {
        if (address != 0 && address != -1) ShmDt(address);
    }

    /// <summary>
    /// Marks the segment to go when its last mapping does: a segment is then never left behind, whatever
    /// happens to its processes. Linux lets processes map a marked segment until then.
    /// </summary>
    public static void RemoveWhenUnused(int id) => ShmCtl(id, IPC_RMID, null);

    /// <summary>Owner, creator, mode and size of segment <paramref name="id"/>; null when there is none (or it is not readable).</summary>
    public static SegmentInfo? Stat(int id)
    {
        byte* ds = stackalloc byte[256]; // struct shmid_ds is 112 bytes; room to spare
        if (id < 0 || ShmCtl(id, IPC_STAT, ds) != 0) return null;
        return new SegmentInfo(*(uint*)(ds + 4), *(uint*)(ds + 12), *(uint*)(ds + 20) & 0x1FF, (long)*(ulong*)(ds + 48), (long)*(ulong*)(ds + 88));
    }
}
