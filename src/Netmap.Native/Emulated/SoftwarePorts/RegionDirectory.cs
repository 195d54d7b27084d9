using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>The ports in use in one region file: a pipe parent's pipe ends, or a VALE switch's ports.</summary>
/// <param name="Kind">"pipe" or "vale".</param>
/// <param name="Name">The pipe parent (p of netmap:p{1) or the switch (vale0).</param>
/// <param name="Ports">Port names as the region holds them: "p{1", "p}1" for pipes, "a" for VALE ports.</param>
internal sealed record RegionPorts(string Kind, string Name, IReadOnlyList<string> Ports);

/// <summary>
/// Reads what the region files of this user hold, without attaching to them (no lock, no holder):
/// a snapshot for listings and tab completion, which may be stale a moment later.
/// </summary>
internal static class RegionDirectory
{
    /// <summary>Every region file of this user in <see cref="SharedMemoryBackend.Directory"/>, with its ports in use.</summary>
    public static IReadOnlyList<RegionPorts> List()
    {
        var found = new List<RegionPorts>();
        foreach (string file in SharedMemoryBackend.OwnRegionFiles())
        {
            string rest = Path.GetFileName(file);
            int dash = rest.IndexOf('-');
            if (dash <= 0) continue;
            found.Add(new RegionPorts(rest[..dash], rest[(dash + 1)..], PortsIn(file)));
        }
        return found;
    }

    /// <summary>The names of the ports marked in use in a region file; empty when it cannot be read.</summary>
    private static unsafe IReadOnlyList<string> PortsIn(string path)
    {
        int fd = LibC.OpenOwnRegularFile(path, out _);
        if (fd < 0) return Array.Empty<string>();
        nint map = -1;
        try
        {
            if (RegionSegment.MapForReading(fd) is not var (address, _, geometry)) return Array.Empty<string>();
            map = address;
            byte* b = (byte*)map;
            var layout = new RegionLayout(geometry);
            var names = new List<string>();
            for (uint p = 0; p < geometry.PortCapacity; p++)
            {
                var entry = layout.Port(b, p);
                if (Volatile.Read(ref entry->InUse) == 0) continue;
                var span = new ReadOnlySpan<byte>(entry->Name, PortEntry.NameSize);
                int end = span.IndexOf((byte)0);
                string name = System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
                if (name.Length > 0) names.Add(name);
            }
            return names;
        }
        finally
        {
            RegionSegment.Unmap(map);
            LibC.Close(fd);
        }
    }
}
