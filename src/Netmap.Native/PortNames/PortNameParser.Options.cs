using static Netmap.Native.PortNames.PortNameSyntax;

namespace Netmap.Native.PortNames;

public static partial class PortNameParser
{
    private const string OptionHelp =
        "Options are '@conf:key=value,...', '@share=PORT' and '@extmem=FILE' (or '@extmem:file=FILE,...').";

    private const string StrictNumberNote =
        "Values must be plain decimal digits: unlike libnetmap's atoi(), this parser does not read 'x' as 0 or '12k' as 12.";

    private readonly record struct OptionValues(PortConfig? Config, string? ShareWith, ExternalMemory? ExternalMemory);

    /// <summary>A value in the name and the offset where it starts.</summary>
    private readonly record struct Token(string Text, int Position);

    /// <summary>Reads '@option' groups up to the end of the name; each option may appear once.</summary>
    private static OptionValues ParseOptions(NameReader reader)
    {
        var options = new OptionValues();
        var seen = new HashSet<string>();
        while (reader.TryTake('@'))
        {
            int start = reader.Position;
            string body = reader.TakeWhile(c => c != '@');
            if (body.Length == 0)
                throw reader.FailAt(start, seen.Count == 0 ? "a memory id or an option name after '@'" : "an option name after '@'",
                    OptionHelp);
            options = ParseOption(reader, start, seen, options);
        }
        return options;
    }

    private static OptionValues ParseOption(NameReader reader, int start, HashSet<string> seen, OptionValues options)
    {
        int end = reader.Position;
        int delimiter = reader.Text.IndexOfAny([':', '='], start, end - start);
        int nameEnd = delimiter < 0 ? end : delimiter;
        var option = FindOption(reader, new Token(reader.Text[start..nameEnd], start));
        // A repeated @conf is merged as libnetmap does (each group sets the fields it names, a later group
        // wins); @share and @extmem name one memory region each, so they stay single.
        if (!seen.Add(option.Name) && option != Conf)
            throw reader.FailOnToken(start, option.Name, "each of share and extmem at most once",
                $"The option '{option.Name}' is repeated; a port has one memory region.");

        var values = delimiter < 0 ? throw MissingOptionBody(reader, option, end)
            : reader.Text[delimiter] == '=' ? ParseDefaultValue(reader, option, delimiter, end)
            : ParseKeyValues(reader, option, delimiter + 1, end);
        RequireMandatoryKey(reader, option, values, end);
        return ApplyOption(reader, option, values, options);
    }

    private static OptionSyntax FindOption(NameReader reader, Token name)
    {
        const string expected = "an option name (conf, share or extmem)";
        var option = Options.FirstOrDefault(o => o.Name == name.Text);
        if (option is not null)
            return option;
        if (name.Text.Length == 0)
            throw reader.FailAt(name.Position, expected, OptionHelp);
        if (DisabledOptions.Contains(name.Text))
            throw reader.FailOnToken(name.Position, name.Text, expected,
                $"The option '{name.Text}' is not supported (libnetmap disables it by default).");
        if (name.Text.All(IsDigit))
            throw reader.FailOnToken(name.Position, name.Text, expected,
                "A memory id ('@N') must come before the options.");
        throw reader.FailOnToken(name.Position, name.Text, expected, OptionHelp);
    }

    private static PortNameException MissingOptionBody(NameReader reader, OptionSyntax option, int end) =>
        option.DefaultKey is null
            ? reader.FailAt(end, $"':' and key=value pairs after '{option.Name}'", $"For example '@{option.Name}:rings=2'.")
            : reader.FailAt(end, $"'=' and a {option.DefaultKey} after '{option.Name}'",
                $"For example '@{option.Name}={ExampleValue(option)}'.");

    private static string ExampleValue(OptionSyntax option) => option == Share ? "netmap:eth1" : "/path/to/file";

    private static Dictionary<string, Token> ParseDefaultValue(NameReader reader, OptionSyntax option, int equals, int end)
    {
        if (option.DefaultKey is null)
            throw reader.FailAt(equals, $"':' after '{option.Name}'",
                $"The option '{option.Name}' takes key=value pairs, e.g. '@{option.Name}:rings=2'.");
        if (equals + 1 == end)
            throw reader.FailAt(end, $"a {option.DefaultKey} after '{option.Name}='",
                $"For example '@{option.Name}={ExampleValue(option)}'.");
        return new() { [option.DefaultKey] = new Token(reader.Text[(equals + 1)..end], equals + 1) };
    }

    private static Dictionary<string, Token> ParseKeyValues(NameReader reader, OptionSyntax option, int start, int end)
    {
        var values = new Dictionary<string, Token>();
        int itemStart = start;
        while (true)
        {
            int comma = reader.Text.IndexOf(',', itemStart, end - itemStart);
            int itemEnd = comma < 0 ? end : comma;
            ParseKeyValue(reader, option, itemStart, itemEnd, values);
            if (comma < 0)
                return values;
            itemStart = comma + 1;
        }
    }

    private static void ParseKeyValue(NameReader reader, OptionSyntax option, int start, int end,
        Dictionary<string, Token> values)
    {
        string keyList = string.Join(", ", option.Keys);
        int equals = reader.Text.IndexOf('=', start, end - start);
        int keyEnd = equals < 0 ? end : equals;
        if (keyEnd == start)
            throw reader.FailAt(start, $"a key of option '{option.Name}' ({keyList})", "Write key=value pairs separated by ','.");

        string written = reader.Text[start..keyEnd];
        string key = written.Replace('-', '_');
        if (!option.Keys.Contains(key))
            throw reader.FailOnToken(start, written, $"a key of option '{option.Name}' ({keyList})");
        if (values.TryGetValue(key, out var earlier))
            throw new PortNameException(reader.Text, start, "each key at most once", $"a duplicate key '{written}'",
                $"It was already set to '{earlier.Text}'.");
        if (equals < 0)
            throw reader.FailAt(end, $"'=value' after the key '{written}'", $"For example '{written}=2'.");
        if (equals + 1 == end)
            throw reader.FailAt(end, $"a value after '{written}='", $"For example '{written}=2'.");
        values[key] = new Token(reader.Text[(equals + 1)..end], equals + 1);
    }

    private static void RequireMandatoryKey(NameReader reader, OptionSyntax option, Dictionary<string, Token> values, int end)
    {
        if (option.MandatoryKey is { } key && !values.ContainsKey(key))
            throw new PortNameException(reader.Text, end, $"the mandatory key '{key}' of option '{option.Name}'",
                "none", $"For example '@{option.Name}={ExampleValue(option)}'.");
    }

    private static OptionValues ApplyOption(
        NameReader reader, OptionSyntax option, Dictionary<string, Token> values, OptionValues options)
    {
        if (option == Share)
            return options with { ShareWith = CheckSharedPort(reader, values["port"]) };

        var numbers = ParseNumbers(reader, option, values);
        uint? Number(string key) => numbers.TryGetValue(key, out uint n) ? n : null;
        if (option == Conf)
        {
            PortConfig? before = options.Config;
            return options with
            {
                Config = new PortConfig
                {
                    TxRings = Number("tx_rings") ?? Number("rings") ?? before?.TxRings,
                    RxRings = Number("rx_rings") ?? Number("rings") ?? before?.RxRings,
                    HostTxRings = Number("host_tx_rings") ?? Number("host_rings") ?? before?.HostTxRings,
                    HostRxRings = Number("host_rx_rings") ?? Number("host_rings") ?? before?.HostRxRings,
                    TxSlots = Number("tx_slots") ?? Number("slots") ?? before?.TxSlots,
                    RxSlots = Number("rx_slots") ?? Number("slots") ?? before?.RxSlots,
                },
            };
        }
        return options with
        {
            ExternalMemory = new ExternalMemory
            {
                File = values["file"].Text,
                InterfaceCount = Number("if_num"),
                InterfaceSize = Number("if_size"),
                RingCount = Number("ring_num"),
                RingSize = Number("ring_size"),
                BufferCount = Number("buf_num"),
                BufferSize = Number("buf_size"),
            },
        };
    }

    /// <summary>Reads every numeric key, leftmost first; ring counts are 16-bit in the request.</summary>
    private static Dictionary<string, uint> ParseNumbers(NameReader reader, OptionSyntax option, Dictionary<string, Token> values)
    {
        var numbers = new Dictionary<string, uint>();
        foreach (var (key, token) in values.OrderBy(pair => pair.Value.Position))
        {
            if (key == option.DefaultKey)
                continue;
            ulong max = option == Conf && key.EndsWith("rings", StringComparison.Ordinal) ? ushort.MaxValue : uint.MaxValue;
            if (!TryParseDecimal(token.Text, max, out ulong number) || number == 0)
                throw reader.FailOnToken(token.Position, token.Text, $"a positive whole number up to {max} for '{key}'",
                    StrictNumberNote);
            numbers[key] = (uint)number;
        }
        return numbers;
    }

    /// <summary>The shared port must itself be a valid port name (libnetmap opens it to read its memory id).</summary>
    private static string CheckSharedPort(NameReader reader, Token port)
    {
        try
        {
            Parse(port.Text);
            return port.Text;
        }
        catch (PortNameException inner)
        {
            string hint = "The value of 'share' must itself be a port name." + (inner.Hint is null ? "" : " " + inner.Hint);
            throw new PortNameException(reader.Text, port.Position + inner.Position, inner.Expected, inner.Found, hint);
        }
    }
}
