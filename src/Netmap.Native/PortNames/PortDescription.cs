using System.Globalization;

namespace Netmap.Native.PortNames;

/// <summary>Describes a <see cref="PortSpec"/> in plain words for a user.</summary>
internal static class PortDescription
{
    /// <summary>E.g. "NIC ring pair 1 of eth0, TX rings only" or "monitor of rx traffic on all NIC rings of eth0".</summary>
    public static string Describe(PortSpec spec)
    {
        var details = Details(spec).ToList();
        string subject = MonitorPhrase(spec) + RingPhrase(spec);
        return details.Count == 0 ? subject : $"{subject}, {string.Join(", ", details)}";
    }

    private static string Target(PortSpec spec)
    {
        string port = spec.IsVale ? $"port {spec.PortName} of VALE switch {spec.SwitchName}" : spec.PortName;
        return spec.Pipe switch
        {
            PipeEnd.Master => $"master end of pipe {spec.PipeId} of {port}",
            PipeEnd.Slave => $"slave end of pipe {spec.PipeId} of {port}",
            _ => port,
        };
    }

    private static string RingPhrase(PortSpec spec)
    {
        string target = Target(spec);
        string ring = spec.RingId.ToString(CultureInfo.InvariantCulture);
        return spec.Mode switch
        {
            RegisterMode.AllNic when !spec.IsVale && spec.Pipe == PipeEnd.None => $"all NIC rings of {target}",
            RegisterMode.Host => $"host rings of {target}",
            RegisterMode.OneHost => $"host ring {ring} of {target}",
            RegisterMode.NicAndHost => $"NIC and host rings of {target}",
            RegisterMode.OneNic => $"NIC ring pair {ring} of {target}",
            RegisterMode.Null => $"no rings of {target}",
            _ => target,
        };
    }

    private static string MonitorPhrase(PortSpec spec)
    {
        if (!spec.IsMonitor)
            return "";
        bool tx = spec.Flags.HasFlag(RegisterFlags.MonitorTx);
        bool rx = spec.Flags.HasFlag(RegisterFlags.MonitorRx);
        string traffic = tx && rx ? "tx and rx" : tx ? "tx" : "rx";
        string zeroCopy = spec.Flags.HasFlag(RegisterFlags.ZeroCopyMonitor) ? "zero-copy " : "";
        return $"{zeroCopy}monitor of {traffic} traffic on ";
    }

    private static IEnumerable<string> Details(PortSpec spec)
    {
        if (spec.Flags.HasFlag(RegisterFlags.ZeroCopyMonitor) && !spec.IsMonitor)
            yield return "zero-copy monitor flag";
        if (spec.Flags.HasFlag(RegisterFlags.TxRingsOnly))
            yield return "TX rings only";
        if (spec.Flags.HasFlag(RegisterFlags.RxRingsOnly))
            yield return "RX rings only";
        if (spec.Flags.HasFlag(RegisterFlags.Exclusive))
            yield return "exclusive access";
        if (spec.MemoryId != 0)
            yield return $"memory region {spec.MemoryId}";
        if (spec.Config is { } config && ConfigPhrase(config) is { } configured)
            yield return configured;
        if (spec.ShareWith is { } share)
            yield return $"sharing memory with {share}";
        if (spec.ExternalMemory is { } memory)
            yield return $"external memory from {memory.File}";
    }

    private static string? ConfigPhrase(PortConfig config)
    {
        (uint? Count, string What)[] counts =
        [
            (config.TxRings, "TX ring{s}"), (config.RxRings, "RX ring{s}"),
            (config.HostTxRings, "host TX ring{s}"), (config.HostRxRings, "host RX ring{s}"),
            (config.TxSlots, "slot{s} per TX ring"), (config.RxSlots, "slot{s} per RX ring"),
        ];
        var given = counts.Where(c => c.Count is not null)
            .Select(c => $"{c.Count} {c.What.Replace("{s}", c.Count == 1 ? "" : "s")}")
            .ToList();
        return given.Count == 0 ? null : "with " + string.Join(", ", given);
    }
}
