namespace Netmap.Native.PortNames;

/// <summary>The facts of libnetmap's port-name grammar, shared by the parser and the formatter.</summary>
internal static class PortNameSyntax
{
    /// <summary>Prefix of NIC and pipe ports; it is not part of the request name.</summary>
    public const string NetmapPrefix = "netmap";

    /// <summary>Start of a VALE switch prefix; the whole <c>valeX:</c> is part of the request name.</summary>
    public const string ValePrefix = "vale";

    /// <summary>Longest request name: <c>NETMAP_REQ_IFNAMSIZ</c> (64) less the terminating NUL.</summary>
    public const int MaxRequestNameLength = 63;

    /// <summary>Longest interface, pipe parent, VALE port or switch name: Linux's IFNAMSIZ (16) less the NUL.</summary>
    public const int MaxInterfaceNameLength = 15;

    /// <summary>Ring numbers must be below <c>NETMAP_RING_MASK</c>.</summary>
    public const int RingNumberLimit = 0x0fff;

    /// <summary>Characters that end the port name and start the register suffix.</summary>
    public static readonly char[] NameTerminators = ['-', '*', '^', '/', '@'];

    /// <summary>Characters that split a pipe name into port and pipe id.</summary>
    public static readonly char[] PipeMarks = ['{', '}'];

    /// <summary>The flag letters accepted after '/'.</summary>
    public static readonly IReadOnlyList<(char Letter, RegisterFlags Flag)> FlagLetters =
    [
        ('x', RegisterFlags.Exclusive),
        ('z', RegisterFlags.ZeroCopyMonitor),
        ('t', RegisterFlags.MonitorTx),
        ('r', RegisterFlags.MonitorRx),
        ('R', RegisterFlags.RxRingsOnly),
        ('T', RegisterFlags.TxRingsOnly),
    ];

    /// <summary>The <c>@conf:</c> option: only key=value pairs.</summary>
    public static readonly OptionSyntax Conf = new("conf", DefaultKey: null,
        ["rings", "host_rings", "slots", "tx_rings", "rx_rings", "host_tx_rings", "host_rx_rings", "tx_slots", "rx_slots"]);

    /// <summary>The <c>@share=</c> option: the port whose memory region to share.</summary>
    public static readonly OptionSyntax Share = new("share", DefaultKey: "port", ["port"]);

    /// <summary>The <c>@extmem=</c> option: a file mapped as the memory region, plus pool sizes.</summary>
    public static readonly OptionSyntax ExtMem = new("extmem", DefaultKey: "file",
        ["file", "if_num", "if_size", "ring_num", "ring_size", "buf_num", "buf_size"]);

    /// <summary>Options libnetmap knows but disables by default.</summary>
    public static readonly IReadOnlyList<string> DisabledOptions = ["offset"];

    /// <summary>The options a port name may carry.</summary>
    public static readonly IReadOnlyList<OptionSyntax> Options = [Conf, Share, ExtMem];

    /// <summary>True for the characters of an identifier (ASCII letters, digits, '_').</summary>
    public static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>True for an ASCII decimal digit.</summary>
    public static bool IsDigit(char c) => char.IsAsciiDigit(c);

    /// <summary>The flag for a flag letter, or null when the letter is not a flag.</summary>
    public static RegisterFlags? FlagFor(char letter)
    {
        foreach (var (flagLetter, flag) in FlagLetters)
        {
            if (flagLetter == letter)
                return flag;
        }
        return null;
    }
}

/// <summary>
/// One '@' option: its name, its keys, and the default key that receives the value of the
/// <c>@name=value</c> form. libnetmap makes every default key mandatory.
/// </summary>
internal sealed record OptionSyntax(string Name, string? DefaultKey, IReadOnlyList<string> Keys)
{
    /// <summary>The key that must be given, if any.</summary>
    public string? MandatoryKey => DefaultKey;
}
