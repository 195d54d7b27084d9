using System.Runtime.InteropServices;

namespace Netmap.Native.Interop;

/// <summary>The few libc calls the backends need, with errno preserved.</summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int O_RDWR = 0x2, O_CREAT = 0x40, O_EXCL = 0x80, O_NONBLOCK = 0x800, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;
    public const int PROT_READ = 0x1, PROT_WRITE = 0x2, MAP_SHARED = 0x1;
    public const int F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
    public const short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
    public const int EINTR = 4, ENOENT = 2, EAGAIN = 11, EACCES = 13, EEXIST = 17, ENOSPC = 28, ELOOP = 40, ETIMEDOUT = 110;

    [StructLayout(LayoutKind.Sequential)]
    public struct FileLock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
        private int _pad;
    }

    [LibraryImport(Lib, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int FTruncate(int fd, long length);

    /// <summary>rename(2) that fails with EEXIST instead of replacing what is at <paramref name="to"/> (renameat2 RENAME_NOREPLACE).</summary>
    public static int RenameNoReplace(string from, string to) => RenameAt2(-100 /* AT_FDCWD */, from, -100, to, 1 /* RENAME_NOREPLACE */);

    [LibraryImport(Lib, EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int RenameAt2(int fromDir, string from, int toDir, string to, uint flags);

    [LibraryImport(Lib, EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(int fd, void* buffer, nuint length, long offset);

    [LibraryImport(Lib, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint PWrite(int fd, void* buffer, nuint length, long offset);

    [LibraryImport(Lib, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(int fd, uint mode);

    [LibraryImport(Lib, EntryPoint = "usleep", SetLastError = true)]
    public static partial int USleep(uint microseconds);

    [LibraryImport(Lib, EntryPoint = "mkdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MkDir(string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Unlink(string path);

    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint MMap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    public static partial int MUnmap(nint addr, nuint length);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int cmd, FileLock* lck);

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    [LibraryImport(Lib, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, int* length);

    [LibraryImport(Lib, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, void* address, int length);

    [LibraryImport(Lib, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, void* buffer, nuint length, int flags, void* address, int addressLength);

    [LibraryImport(Lib, EntryPoint = "recvfrom", SetLastError = true)]
    public static partial nint RecvFrom(int fd, void* buffer, nuint length, int flags, void* address, int* addressLength);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint length);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint length);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, void* argument);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Returned;
    }

    public const short POLLIN = 1, POLLOUT = 4;

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int IfNameToIndex(string name);

    public const int MAP_PRIVATE = 0x2, MAP_ANONYMOUS = 0x20, MAP_POPULATE = 0x8000;
    public const int MSG_DONTWAIT = 0x40;
    public const int EPERM = 1, EBUSY = 16, EINVAL = 22, ENOBUFS = 105, EOPNOTSUPP = 95, ENOTSUP = 95, ENXIO = 6;

    [LibraryImport(Lib, EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    /// <summary>True when a process with this pid exists (kill with signal 0).</summary>
    public static bool ProcessExists(int pid) => Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != 3 /* ESRCH */;

    [LibraryImport(Lib, EntryPoint = "getpid")]
    public static partial int GetPid();

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall6(long number, nint a1, nint a2, nint a3, nint a4, nint a5, nint a6);

    [LibraryImport(Lib, EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    public static string Describe(int errno) => Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";

    [LibraryImport(Lib, EntryPoint = "fstatfs", SetLastError = true)]
    private static partial int FStatFs(int fd, byte* buffer);

    /// <summary>The type (f_type, a *_MAGIC of statfs(2)) and block size of the file system an open file lives on.</summary>
    public static (long Type, long BlockSize) FileSystemInfo(int fd)
    {
        var buffer = stackalloc byte[256];
        if (FStatFs(fd, buffer) != 0) throw Errors.FromErrno("fstatfs", Marshal.GetLastPInvokeError());
        return (*(long*)buffer, *(long*)(buffer + 8)); // f_type and f_bsize, both __fsword_t, lead struct statfs
    }

    /// <summary>The inode, owner and size of an open file (fstat via statx, the same on every architecture).</summary>
    public static (ulong Inode, uint Uid, uint Mode, long Size, uint Links) FileInfo(int fd)
    {
        var buffer = stackalloc byte[256];
        // statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &buf)
        int rc = StatX(fd, "", 0x1000, 0x7ff, buffer);
        if (rc != 0) throw Errors.FromErrno("fstat", Marshal.GetLastPInvokeError());
        uint uid = *(uint*)(buffer + 20);
        ushort mode = *(ushort*)(buffer + 28);
        ulong ino = *(ulong*)(buffer + 32);
        long size = *(long*)(buffer + 40);
        uint links = *(uint*)(buffer + 16);
        return (ino, uid, mode, size, links);
    }

    /// <summary>
    /// Opens a regular file this user owns, read-only, and gives its size; -1 for anything else. It
    /// never follows a link and never blocks: a FIFO put under the name would block a plain open.
    /// </summary>
    public static int OpenOwnRegularFile(string path, out long size)
    {
        size = 0;
        int fd = Open(path, O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0); // O_RDONLY is 0
        if (fd < 0) return -1;
        var info = FileInfo(fd);
        if ((info.Mode & 0xF000) != 0x8000 || info.Uid != GetUid())
        {
            Close(fd);
            return -1;
        }
        size = info.Size;
        return fd;
    }

    /// <summary>The inode of a path, or null when nothing is there.</summary>
    public static ulong? PathInode(string path)
    {
        var buffer = stackalloc byte[256];
        int rc = StatX(-100 /* AT_FDCWD */, path, 0x100 /* AT_SYMLINK_NOFOLLOW */, 0x7ff, buffer);
        return rc == 0 ? *(ulong*)(buffer + 32) : null;
    }

    /// <summary>The owner and mode (type bits included) of a path, not following a symbolic link; null when nothing is there.</summary>
    public static (uint Owner, uint Mode)? PathOwnerAndMode(string path)
    {
        var buffer = stackalloc byte[256];
        int rc = StatX(-100 /* AT_FDCWD */, path, 0x100 /* AT_SYMLINK_NOFOLLOW */, 0x7ff, buffer);
        return rc == 0 ? (*(uint*)(buffer + 20), *(ushort*)(buffer + 28)) : null;
    }

    [LibraryImport(Lib, EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Rename(string from, string to);

    [LibraryImport(Lib, EntryPoint = "chmod", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Chmod(string path, uint mode);

    /// <summary>The owner of a path (not following a symbolic link), or null when nothing is there.</summary>
    public static uint? PathOwner(string path)
    {
        var buffer = stackalloc byte[256];
        int rc = StatX(-100 /* AT_FDCWD */, path, 0x100 /* AT_SYMLINK_NOFOLLOW */, 0x7ff, buffer);
        return rc == 0 ? *(uint*)(buffer + 20) : null;
    }

    [LibraryImport(Lib, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatX(int dirfd, string path, int flags, uint mask, byte* buffer);
}
