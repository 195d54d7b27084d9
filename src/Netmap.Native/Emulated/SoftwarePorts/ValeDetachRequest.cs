using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>
/// Asks the process that bridges an interface to a user-space switch to detach it: sets the flag its
/// <see cref="ValeAttachment"/> watches on the switch ports named after the interface ('eth0', 'eth0^').
/// </summary>
internal static unsafe class ValeDetachRequest
{
    /// <summary>False when the switch has no attached port of that interface (any more).</summary>
    public static bool Send(string switchName, string interfaceName)
    {
        int fd = LibC.OpenOwnRegularFile(Path.Combine(SharedMemoryBackend.UserDirectory, $"vale-{switchName}"), out _);
        if (fd < 0) return false;
        nint p = -1;
        try
        {
            if (RegionSegment.Map(fd, readOnly: false) is not var (address, _, geometry) || geometry.Kind != RegionKind.ValeSwitch) return false;
            p = address;
            var layout = new RegionLayout(geometry);
            bool sent = false;
            for (uint i = 0; i < geometry.FirstMonitorPort; i++)
            {
                var entry = layout.Port((byte*)p, i);
                if (Volatile.Read(ref entry->InUse) == 0 || Volatile.Read(ref entry->AttachedInterface) == 0) continue;
                var name = new ReadOnlySpan<byte>(entry->Name, PortEntry.NameSize);
                int end = name.IndexOf((byte)0);
                string portName = System.Text.Encoding.UTF8.GetString(end < 0 ? name : name[..end]);
                if (portName != interfaceName && portName != interfaceName + "^") continue;
                Volatile.Write(ref entry->DetachRequested, 1);
                sent = true;
            }
            return sent;
        }
        finally
        {
            if (p != -1) RegionSegment.Unmap(p);
            LibC.Close(fd);
        }
    }
}
