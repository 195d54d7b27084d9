using Netmap.Native.Ports;

namespace Netmap.Native.Kernel;

/// <summary>
/// The netmap module's parameters under /sys/module/netmap/parameters: the global allocator's pools
/// (requested and current), admode, and the rest.
/// </summary>
public static class ModuleParameters
{
    /// <summary>Where the running module shows its parameters.</summary>
    public static string Directory { get; set; } = "/sys/module/netmap/parameters";

    /// <summary>Every parameter and its value; empty when the module is not loaded.</summary>
    public static IReadOnlyDictionary<string, string> ReadAll()
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(Directory)) return values;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
        {
            try { values[Path.GetFileName(file)] = File.ReadAllText(file).Trim(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return values;
    }

    /// <summary>
    /// The global allocator's (memory id 1) pools as the module reports them: the current objects and
    /// sizes (if_curr_num, if_curr_size, ...), or the requested ones (if_num, if_size, ...) before
    /// first use. Empty when the module shows no parameters.
    /// </summary>
    public static IReadOnlyList<MemoryPool> GlobalPools(IReadOnlyDictionary<string, string>? parameters = null)
    {
        parameters ??= ReadAll();
        var pools = new List<MemoryPool>();
        foreach (var (key, pool) in new[] { ("if", "Interfaces"), ("ring", "Rings"), ("buf", "Buffers") })
        {
            uint? current = Number(parameters, $"{key}_curr_num"), currentSize = Number(parameters, $"{key}_curr_size");
            uint? requested = Number(parameters, $"{key}_num"), requestedSize = Number(parameters, $"{key}_size");
            if (current is > 0 && currentSize is > 0)
                pools.Add(new MemoryPool(1, pool, current.Value, currentSize.Value, $"{key}_curr_num, {key}_curr_size"));
            else if (requested is not null && requestedSize is not null)
                pools.Add(new MemoryPool(1, pool, requested.Value, requestedSize.Value, $"{key}_num, {key}_size (requested)"));
        }
        return pools;
    }

    /// <summary>The global pools in one line, for messages: "1000 rings of 36864 B, ...".</summary>
    public static string DescribeGlobalPools()
    {
        var pools = GlobalPools();
        if (pools.Count == 0) return "";
        return "The global allocator has " + string.Join(", ", pools.Select(p => $"{p.Objects} {p.Pool.ToLowerInvariant()} of {p.ObjectSize} B")) +
            $" ({Directory}).";
    }

    private static uint? Number(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var text) && uint.TryParse(text, out var n) ? n : null;
}
