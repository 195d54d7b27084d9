using System.Runtime.InteropServices;
using Netmap.Native.Interop;
using Netmap.Native.Ports;

namespace Netmap.Native.Emulated;

/// <summary>
/// Reads the user-space VALE switches of this user from their region files, read-only: it maps them
/// with PROT_READ, takes no lock and changes nothing.
/// </summary>
internal static unsafe class EmulatedValeReader
{
    /// <summary>Every switch region that holds a complete layout.</summary>
    public static IReadOnlyList<ValeSwitchInfo> ReadAll()
    {
        var switches = new List<ValeSwitchInfo>();
        const string prefix = "vale-";
        foreach (var path in SharedMemoryBackend.OwnRegionFiles("vale-*"))
            if (Read(path, Path.GetFileName(path)[prefix.Length..]) is { } info) switches.Add(info);
        return switches;
    }

    private static ValeSwitchInfo? Read(string path, string name)
    {
        int fd = LibC.OpenOwnRegularFile(path, out _);
        if (fd < 0) return null;
        nint p = -1;
        try
        {
            if (RegionSegment.MapForReading(fd) is not var (address, _, geometry)) return null;
            p = address;
            var b = (byte*)p;
            if (geometry.Kind != RegionKind.ValeSwitch) return null;
            var layout = new RegionLayout(geometry);
            var ports = new List<ValePortInfo>();
            var names = new Dictionary<uint, string>();
            for (uint i = 0; i < geometry.PortCapacity; i++)
            {
                var entry = layout.Port(b, i);
                if (Volatile.Read(ref entry->InUse) == 0) continue;
                names[i] = NameOf(entry);
                int pid = LiveHolderPid(fd, layout, b, i);
                int attached = Volatile.Read(ref entry->AttachedInterface);
                ports.Add(new ValePortInfo(name, names[i], i, PortMode.Emulated)
                {
                    InUse = pid != 0, Dropped = Volatile.Read(ref entry->RxDropped), Pid = pid > 0 ? pid : null,
                    AttachedInterface = attached is 1 or 2 ? names[i] : null,
                });
            }
            return new ValeSwitchInfo(name, PortMode.Emulated, ports) { Region = path, MacTable = MacTable(layout, b, name, names) };
        }
        finally
        {
            RegionSegment.Unmap(p);
            LibC.Close(fd);
        }
    }

    /// <summary>The learning table's entries whose port still exists: MAC in the high 48 bits, port + 1 in the low 16.</summary>
    private static IReadOnlyList<LearnedAddress> MacTable(RegionLayout layout, byte* b, string switchName, Dictionary<uint, string> names)
    {
        var table = new List<LearnedAddress>();
        ulong* entries = layout.LearningTable(b);
        for (int i = 0; i < RegionLayout.LearningTableSize; i++)
        {
            ulong entry = Volatile.Read(ref entries[i]);
            uint port = (uint)(entry & 0xffff);
            if (port == 0 || !names.TryGetValue(port - 1, out var portName)) continue;
            ulong mac = entry >> 16;
            table.Add(new LearnedAddress(switchName, string.Join(":", Enumerable.Range(0, 6).Select(k => ((mac >> (40 - 8 * k)) & 0xff).ToString("x2"))), portName));
        }
        return table.OrderBy(e => e.Port, StringComparer.Ordinal).ThenBy(e => e.Mac, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The process of a holder of a ring of the port that still holds its lock byte (the kernel's word for
    /// its liveness; the pid is the region's, as that holder wrote it); 0 when no live process holds one.
    /// </summary>
    private static int LiveHolderPid(int fd, RegionLayout layout, byte* b, uint port)
    {
        var g = layout.Geometry;
        for (uint r = 0; r < g.RingsPerPort; r++)
        {
            int owner = Volatile.Read(ref layout.Kring(b, port * g.RingsPerPort + r)->Owner);
            if (owner is <= 0 or > RegionLayout.MaxHolders) continue;
            var lck = new LibC.FileLock { Type = LibC.F_WRLCK, Start = RegionLayout.HolderLockBase + owner - 1, Length = 1 };
            if (LibC.Fcntl(fd, LibC.F_OFD_GETLK, &lck) == 0 && lck.Type != LibC.F_UNLCK)
                return Volatile.Read(ref layout.Holder(b, owner - 1)->Pid) is > 0 and var pid ? pid : -1;
        }
        return 0;
    }

    private static string NameOf(PortEntry* entry)
    {
        var span = new ReadOnlySpan<byte>(entry->Name, PortEntry.NameSize);
        int end = span.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
