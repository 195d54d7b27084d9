using System.Runtime.InteropServices;
using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>
/// The directory that holds one user's region files: <c>netmapps-UID</c> under the shared-memory
/// directory, mode 0700 and owned by that user, so that no other user can plant, link or squat a
/// region name (they cannot even see the names). A directory of that name that is not the user's
/// own private directory is never used.
/// </summary>
internal static class UserRegionDirectory
{
    /// <summary>
    /// Makes sure <paramref name="path"/> is this user's private directory and returns what the user
    /// should know. Root moves a directory another user made at its name aside (root can, in /dev/shm)
    /// and says so; anyone else gets an error saying what to do.
    /// </summary>
    public static IReadOnlyList<string> Ensure(string path)
    {
        var warnings = new List<string>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            if (LibC.MkDir(path, 0x1c0 /* 0700 */) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.ENOENT)
                    throw new NetmapException(NetmapError.NotFound,
                        $"Cannot make '{path}': its directory does not exist. Set NETMAPPS_SHM_DIR to a writable tmpfs directory.") { Errno = errno };
                if (errno != LibC.EEXIST) throw Errors.FromErrno("mkdir", errno, $"of '{path}'");
            }
            var (owner, mode) = LibC.PathOwnerAndMode(path) ?? throw new NetmapException(NetmapError.NotFound, $"'{path}' vanished while it was opened; try again.");
            bool directory = (mode & 0xF000) == 0x4000;
            if (directory && owner == LibC.GetUid() && (mode & 0x3f) == 0) return warnings;
            if (directory && owner == LibC.GetUid())
            {
                // Our own directory with group or other bits (made by hand, or by an older version): close it.
                if (LibC.Chmod(path, 0x1c0) != 0) throw Errors.FromErrno("chmod", Marshal.GetLastPInvokeError(), $"of '{path}' to 0700");
                return warnings;
            }
            string what = directory ? $"a directory of uid {owner}" : "not a directory (a file or a link)";
            if (LibC.GetUid() == 0)
            {
                string aside = $"{path}.squatted-{Random.Shared.Next():x8}";
                if (LibC.Rename(path, aside) != 0) throw Errors.FromErrno("rename", Marshal.GetLastPInvokeError(), $"of '{path}' to '{aside}'");
                warnings.Add($"'{path}', where root's pipes and switches live, was {what}: it was moved to '{aside}' and a private one made in its place. Look at who made it.");
                continue;
            }
            throw new NetmapException(NetmapError.PermissionDenied,
                $"'{path}', where your pipes and switches live, is {what}, not your private directory, so it is not used. " +
                $"Have it removed (as root: rm -r '{path}'), or set NETMAPPS_SHM_DIR to a directory only you can write.");
        }
        throw new NetmapException(NetmapError.Busy, $"'{path}' keeps being replaced while it is opened; try again.");
    }
}
