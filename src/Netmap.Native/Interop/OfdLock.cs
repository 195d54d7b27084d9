using System.Runtime.InteropServices;

namespace Netmap.Native.Interop;

/// <summary>
/// Open-file-description locks (fcntl F_OFD_*) on byte ranges of a file: held per open file, dropped
/// by the kernel when the process dies, so one process can tell whether another is still there.
/// </summary>
internal static unsafe class OfdLock
{
    /// <summary>Takes a write (or, with <paramref name="shared"/>, a read) lock on one byte, waiting when <paramref name="wait"/>; throws when it cannot.</summary>
    public static void Lock(int fd, long offset, string path, bool wait = true, bool shared = false)
    {
        var lck = new LibC.FileLock { Type = shared ? LibC.F_RDLCK : LibC.F_WRLCK, Start = offset, Length = 1 };
        int rc;
        do rc = LibC.Fcntl(fd, wait ? LibC.F_OFD_SETLKW : LibC.F_OFD_SETLK, &lck);
        while (rc != 0 && Marshal.GetLastPInvokeError() == LibC.EINTR);
        if (rc != 0) throw Errors.FromErrno(wait ? "fcntl(F_OFD_SETLKW)" : "fcntl(F_OFD_SETLK)", Marshal.GetLastPInvokeError(), $"locking byte {offset} of '{path}'");
    }

    /// <summary>
    /// Takes a write lock on one byte, waiting at most <paramref name="boundMs"/> in short sleeps so that
    /// <paramref name="cancel"/> is seen within a few milliseconds: a lock held by a process that is alive
    /// but stuck (the kernel releases it only when the process ends) makes a Busy error, not a hang.
    /// </summary>
    public static void LockBounded(int fd, long offset, string path, int boundMs, CancellationToken cancel)
    {
        long deadline = Environment.TickCount64 + boundMs;
        for (int sleep = 0; !TryLock(fd, offset); sleep = Math.Min(10, sleep + 1))
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EAGAIN && errno != LibC.EACCES && errno != LibC.EINTR)
                throw Errors.FromErrno("fcntl(F_OFD_SETLK)", errno, $"locking byte {offset} of '{path}'");
            cancel.ThrowIfCancellationRequested();
            if (Environment.TickCount64 >= deadline)
                throw new NetmapException(NetmapError.Busy,
                    $"Another process has held '{path}' locked for over {boundMs / 1000.0:0.#} s while opening or closing a port in it: it is stopped or stuck. " +
                    "Resume or end that process (fuser -v on the file names it), then try again.");
            Thread.Sleep(sleep);
        }
    }

    /// <summary>Takes a write lock on one byte if nobody holds it; false otherwise.</summary>
    public static bool TryLock(int fd, long offset)
    {
        var lck = new LibC.FileLock { Type = LibC.F_WRLCK, Start = offset, Length = 1 };
        return LibC.Fcntl(fd, LibC.F_OFD_SETLK, &lck) == 0;
    }

    public static void Unlock(int fd, long offset)
    {
        var lck = new LibC.FileLock { Type = LibC.F_UNLCK, Start = offset, Length = 1 };
        LibC.Fcntl(fd, LibC.F_OFD_SETLK, &lck);
    }

    /// <summary>True when another open file description holds a lock on some byte of [offset, offset + length).</summary>
    public static bool HeldByOthers(int fd, long offset, long length, string path)
    {
        var lck = new LibC.FileLock { Type = LibC.F_WRLCK, Start = offset, Length = length };
        if (LibC.Fcntl(fd, LibC.F_OFD_GETLK, &lck) != 0)
            throw Errors.FromErrno("fcntl(F_OFD_GETLK)", Marshal.GetLastPInvokeError(), $"on '{path}'");
        return lck.Type != LibC.F_UNLCK;
    }
}
