using System.Globalization;
using System.Text;
using static Netmap.Native.PortNames.PortNameSyntax;

namespace Netmap.Native.PortNames;

/// <summary>Writes a <see cref="PortSpec"/> back as a canonical port name.</summary>
internal static class PortNameFormatter
{
    /// <summary>
    /// The canonical name: prefix, port, pipe, ring selection, flags, memory id, then the options
    /// conf, share and extmem. Modes and flags that names cannot express are left out.
    /// </summary>
    public static string Format(PortSpec spec)
    {
        var name = new StringBuilder();
        name.Append(spec.Prefix).Append(':').Append(spec.PortName);
        if (spec.Pipe != PipeEnd.None)
            name.Append(spec.Pipe == PipeEnd.Master ? '{' : '}').Append(spec.PipeId);
        name.Append(RingSelection(spec));
        AppendFlags(name, spec.Flags);
        if (spec.MemoryId != 0)
            name.Append('@').Append(spec.MemoryId);
        if (spec.Config is { } config)
            AppendKeyValues(name, Conf.Name, ConfigPairs(config));
        if (spec.ShareWith is { } share)
            name.Append("@share=").Append(share);
        if (spec.ExternalMemory is { } memory)
            AppendExternalMemory(name, memory);
        return name.ToString();
    }

    private static string RingSelection(PortSpec spec) => spec.Mode switch
    {
        RegisterMode.Host => "^",
        RegisterMode.OneHost => "^" + spec.RingId.ToString(CultureInfo.InvariantCulture),
        RegisterMode.NicAndHost => "*",
        RegisterMode.OneNic => "-" + spec.RingId.ToString(CultureInfo.InvariantCulture),
        _ => "",
    };

    private static void AppendFlags(StringBuilder name, RegisterFlags flags)
    {
        var letters = FlagLetters.Where(f => flags.HasFlag(f.Flag)).Select(f => f.Letter).ToArray();
        if (letters.Length > 0)
            name.Append('/').Append(letters);
    }

    private static IEnumerable<(string Key, uint? Value)> ConfigPairs(PortConfig config) =>
        Pair("rings", "tx_rings", config.TxRings, "rx_rings", config.RxRings)
            .Concat(Pair("host_rings", "host_tx_rings", config.HostTxRings, "host_rx_rings", config.HostRxRings))
            .Concat(Pair("slots", "tx_slots", config.TxSlots, "rx_slots", config.RxSlots));

    /// <summary>Uses the combined key when both directions have the same value.</summary>
    private static IEnumerable<(string Key, uint? Value)> Pair(string both, string txKey, uint? tx, string rxKey, uint? rx) =>
        tx is not null && tx == rx ? [(both, tx)] : [(txKey, tx), (rxKey, rx)];

    private static void AppendExternalMemory(StringBuilder name, ExternalMemory memory)
    {
        (string Key, uint? Value)[] sizes =
        [
            ("if_num", memory.InterfaceCount), ("if_size", memory.InterfaceSize),
            ("ring_num", memory.RingCount), ("ring_size", memory.RingSize),
            ("buf_num", memory.BufferCount), ("buf_size", memory.BufferSize),
        ];
        if (sizes.All(s => s.Value is null))
            name.Append("@extmem=").Append(memory.File);
        else
            AppendKeyValues(name, ExtMem.Name, [("file", memory.File), .. sizes.Select(s => (s.Key, Text(s.Value)))]);
    }

    private static void AppendKeyValues(StringBuilder name, string option, IEnumerable<(string Key, uint? Value)> pairs) =>
        AppendKeyValues(name, option, pairs.Select(p => (p.Key, Text(p.Value))));

    private static void AppendKeyValues(StringBuilder name, string option, IEnumerable<(string Key, string? Value)> pairs)
    {
        var written = pairs.Where(p => p.Value is not null).Select(p => $"{p.Key}={p.Value}").ToList();
        if (written.Count > 0)
            name.Append('@').Append(option).Append(':').AppendJoin(',', written);
    }

    private static string? Text(uint? value) => value?.ToString(CultureInfo.InvariantCulture);
}
