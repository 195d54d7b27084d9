namespace Netmap.Native.Kernel;

/// <summary>
/// The receive drops a Linux interface's driver counts, from the moment the port opened: rx_dropped plus
/// rx_missed_errors in /sys/class/net/IF/statistics (the "drop" column of /proc/net/dev). The netmap
/// module keeps no drop counter a program can read (no field in netmap_ring, no NIOCCTRL request, no
/// module parameter; on Linux its if_inc_counter is empty), so for a port on an interface this is the
/// only count there is: a NIC in netmap mode counts the frames it could not place because the ring was
/// full. It covers the whole interface, all rings, and not the frames netmap's emulated adapter drops
/// itself, which nothing counts.
/// </summary>
internal sealed class InterfaceDrops
{
    private static readonly string[] Counters = ["rx_dropped", "rx_missed_errors"];
    private readonly string _statistics;
    private readonly long _baseline;
    private long _last;

    private InterfaceDrops(string statistics, long baseline)
    {
        _statistics = statistics;
        _baseline = _last = baseline;
    }

    /// <summary>Starts counting on <paramref name="interfaceName"/>; null when it has no statistics in sysfs.</summary>
    public static InterfaceDrops? Start(string interfaceName)
    {
        if (interfaceName.Length is 0 or > 15 || interfaceName.Contains('/') || interfaceName is "." or "..") return null;
        string statistics = Path.Combine("/sys/class/net", interfaceName, "statistics");
        return Read(statistics) is { } now ? new InterfaceDrops(statistics, now) : null;
    }

    /// <summary>Drops since <see cref="Start"/>; the last count read once the interface is gone.</summary>
    public long SinceStart
    {
        get
        {
            if (Read(_statistics) is { } now) _last = now;
            return Math.Max(0, _last - _baseline);
        }
    }

    private static long? Read(string statistics)
    {
        long total = 0;
        foreach (string counter in Counters)
        {
            try { total += long.Parse(File.ReadAllText(Path.Combine(statistics, counter)).Trim()); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException) { return null; }
        }
        return total;
    }
}
