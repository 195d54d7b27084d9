using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>
/// Offloads that open ports turned off (-DisableOffloads), written down in a file of their own
/// (NETMAPPS_STATE_DIR, default /run/netmapps: offloads-NAMESPACE-IFINDEX) so that they come back on
/// when the last such port closes, or, when that port's process was killed, at the next open of the
/// interface. Each port that wants them off holds a read lock on byte 1 of the file (locks die with
/// their process); byte 0 serialises changes.
/// </summary>
internal sealed class OffloadGuard : IDisposable
{
    private const long ChangeLock = 0, HolderLock = 1;
    private readonly string _path, _ifname;
    private int _fd;

    private OffloadGuard(string path, string ifname, int fd) { _path = path; _ifname = ifname; _fd = fd; }

    public static string Directory =>
        Environment.GetEnvironmentVariable("NETMAPPS_STATE_DIR") is { Length: > 0 } dir ? dir : "/run/netmapps";

    private static string PathFor(NetInterface nic) => Path.Combine(Directory, $"offloads-{NetInterface.NamespaceInode:x}-{nic.Index}");

    /// <summary>
    /// Turns back on what a killed port left off on <paramref name="nic"/>; returns the offloads restored
    /// (none when no record is there, it is not ours to read, or live ports still want them off).
    /// </summary>
    public static IReadOnlyList<string> ReclaimStale(NetInterface nic)
    {
        string path = PathFor(nic);
        if (LibC.PathInode(path) is null) return Array.Empty<string>();
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd < 0) return Array.Empty<string>();
        var guard = new OffloadGuard(path, nic.Name, fd);
        try
        {
            OfdLock.Lock(guard._fd, ChangeLock, path);
            return guard.IsCurrent() && !guard.OthersHold() ? guard.RestoreAndRemove() : Array.Empty<string>();
        }
        finally
        {
            guard.Close();
        }
    }

    /// <summary>
    /// Turns off the offloads of <paramref name="nic"/> that are on, adds them to the record, and holds
    /// the record until <see cref="Dispose"/>. <paramref name="turnedOff"/>: what is off for this port;
    /// <paramref name="refused"/>: what the driver would not turn off.
    /// </summary>
    public static OffloadGuard TurnOff(NetInterface nic, out List<string> turnedOff, out List<string> refused)
    {
        string path = PathFor(nic);
        if (LibC.MkDir(Directory, 0x1c0 /* 0700 */) != 0 && Marshal.GetLastPInvokeError() != LibC.EEXIST)
            throw Errors.FromErrno("mkdir", Marshal.GetLastPInvokeError(), $"of '{Directory}', where NetmapPS records offloads to turn back on (set NETMAPPS_STATE_DIR to a writable directory)");
        while (true)
        {
            int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0x180 /* 0600 */);
            if (fd < 0) throw Errors.FromErrno("open", Marshal.GetLastPInvokeError(), $"of '{path}'");
            var guard = new OffloadGuard(path, nic.Name, fd);
            try
            {
                OfdLock.Lock(guard._fd, ChangeLock, path);
                if (!guard.IsCurrent())
                {
                    guard.Close(); // removed by the last holder while we waited: start again
                    continue;
                }
                if (!guard.OthersHold()) guard.RestoreAndKeep(); // a killed holder's record: start from the original state
                var recorded = guard.ReadRecord();
                var on = Ethtool.Read(nic.Name).Where(o => o.Value).Select(o => o.Key).ToList();
                refused = Ethtool.Write(nic.Name, on.ToDictionary(o => o, _ => false));
                turnedOff = recorded.Union(on.Except(refused)).ToList();
                guard.WriteRecord(turnedOff);
                OfdLock.Lock(guard._fd, HolderLock, path, shared: true);
                OfdLock.Unlock(guard._fd, ChangeLock);
                return guard;
            }
            catch
            {
                guard.Close();
                throw;
            }
        }
    }

    /// <summary>Lets go of the record; the last port to do so turns the offloads back on and removes it.</summary>
    public void Dispose()
    {
        if (_fd < 0) return;
        try
        {
            OfdLock.Lock(_fd, ChangeLock, _path);
            OfdLock.Unlock(_fd, HolderLock);
            if (IsCurrent() && !OthersHold()) RestoreAndRemove();
        }
        finally
        {
            Close();
        }
    }

    private IReadOnlyList<string> RestoreAndRemove()
    {
        var restored = RestoreAndKeep();
        LibC.Unlink(_path);
        return restored;
    }

    private IReadOnlyList<string> RestoreAndKeep()
    {
        var recorded = ReadRecord();
        if (recorded.Count > 0) Ethtool.Write(_ifname, recorded.ToDictionary(o => o, _ => true));
        WriteRecord(Array.Empty<string>());
        return recorded;
    }

    /// <summary>The record: the ethtool names of the offloads to turn back on, separated by spaces.</summary>
    private List<string> ReadRecord()
    {
        using var handle = new SafeFileHandle(_fd, ownsHandle: false);
        var buffer = new byte[256];
        int n = RandomAccess.Read(handle, buffer, 0);
        var known = Ethtool.Offloads.Select(o => o.Name).ToHashSet();
        return Encoding.ASCII.GetString(buffer, 0, n).Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(known.Contains).ToList();
    }

    private void WriteRecord(IEnumerable<string> offloads)
    {
        using var handle = new SafeFileHandle(_fd, ownsHandle: false);
        var bytes = Encoding.ASCII.GetBytes(string.Join(' ', offloads));
        RandomAccess.SetLength(handle, 0);
        RandomAccess.Write(handle, bytes, 0);
    }

    /// <summary>True while the path still names the file we opened (the last holder may have removed it).</summary>
    private bool IsCurrent() => LibC.PathInode(_path) == LibC.FileInfo(_fd).Inode;

    /// <summary>True when another open port (of any process) holds the record.</summary>
    private bool OthersHold() => OfdLock.HeldByOthers(_fd, HolderLock, 1, _path);

    private void Close()
    {
        if (_fd >= 0) LibC.Close(_fd);
        _fd = -1;
    }
}
