using static Netmap.Native.PortNames.PortNameSyntax;

namespace Netmap.Native.PortNames;

/// <summary>
/// Parses netmap port names with the grammar of libnetmap's <c>nmport_parse</c>:
/// <c>prefix:port[{|}pipe][ring selection][/flags][@memid][@option...]</c>, for example
/// <c>netmap:eth0-1/T</c>, <c>netmap:p{1</c>, <c>vale0:a@conf:rings=2</c>.
/// Where libnetmap is lax (atoi numbers, empty values) the parser is strict and says so.
/// </summary>
public static partial class PortNameParser
{
    /// <summary>Parses <paramref name="name"/>.</summary>
    /// <param name="name">A port name such as <c>netmap:eth0</c>.</param>
    /// <returns>The parsed specification.</returns>
    /// <exception cref="PortNameException">The name is null, empty or does not follow the grammar.</exception>
    public static PortSpec Parse(string name)
    {
        if (string.IsNullOrEmpty(name))
            throw new PortNameException(name ?? "", 0, "a port name such as 'netmap:eth0'",
                name is null ? "nothing (null)" : "end of name");

        var reader = new NameReader(name);
        RejectNul(reader);
        var header = ParseHeader(reader);
        var register = ParseRegister(reader);
        var options = ParseOptions(reader);
        return new PortSpec
        {
            Name = name,
            Prefix = header.Prefix,
            IsVale = header.IsVale,
            SwitchName = header.IsVale ? header.Prefix : null,
            RequestName = header.RequestName,
            PortName = header.PortName,
            Pipe = header.Pipe,
            PipeId = header.PipeId,
            Mode = register.Mode,
            RingId = register.RingId,
            Flags = register.Flags,
            MemoryId = register.MemoryId,
            Config = options.Config,
            ShareWith = options.ShareWith,
            ExternalMemory = options.ExternalMemory,
        };
    }

    /// <summary>Parses <paramref name="name"/> without throwing.</summary>
    /// <param name="name">A port name such as <c>netmap:eth0</c>.</param>
    /// <param name="spec">The parsed specification, or null on failure.</param>
    /// <param name="error">Why the name is invalid, or null on success.</param>
    /// <returns>True when the name is valid.</returns>
    public static bool TryParse(string name, out PortSpec? spec, out PortNameException? error)
    {
        try
        {
            spec = Parse(name);
            error = null;
            return true;
        }
        catch (PortNameException e)
        {
            spec = null;
            error = e;
            return false;
        }
    }

    private readonly record struct Header(
        string Prefix, bool IsVale, string RequestName, string PortName, PipeEnd Pipe, string? PipeId);

    private static Header ParseHeader(NameReader reader)
    {
        string prefix = ParsePrefix(reader);
        bool isVale = prefix != NetmapPrefix;
        int nameStart = reader.Position;
        reader.TakeWhile(c => Array.IndexOf(NameTerminators, c) < 0);
        int nameEnd = reader.Position;
        if (nameEnd == nameStart)
            throw reader.FailAt(nameStart, $"a port name after '{prefix}:'",
                $"Put the interface or port name right after the prefix, e.g. '{prefix}:eth0'.");

        var (portName, pipe, pipeId) = SplitPipe(reader, nameStart, nameEnd);
        CheckInterfaceName(reader, nameStart, nameStart + portName.Length, "interface or port name");
        int requestStart = isVale ? 0 : nameStart;
        CheckRequestNameLength(reader, requestStart, nameEnd, isVale);
        return new Header(prefix, isVale, reader.Text[requestStart..nameEnd], portName, pipe, pipeId);
    }

    private static string ParsePrefix(NameReader reader)
    {
        string text = reader.Text;
        if (text.StartsWith(NetmapPrefix, StringComparison.Ordinal))
        {
            reader.Position = NetmapPrefix.Length;
            if (!reader.TryTake(':'))
                throw reader.Fail("':' right after 'netmap'", SuggestNetmapName(text));
            return NetmapPrefix;
        }
        if (text.StartsWith(ValePrefix, StringComparison.Ordinal))
        {
            reader.Position = ValePrefix.Length;
            reader.TakeWhile(IsIdentifierChar);
            string switchName = text[..reader.Position];
            if (!reader.TryTake(':'))
                throw reader.Fail($"':' after the VALE switch name '{switchName}'",
                    "A VALE switch name is 'vale' followed by letters, digits or '_', e.g. 'vale0:port'.");
            CheckInterfaceName(reader, 0, switchName.Length, "VALE switch name");
            return switchName;
        }
        int colon = text.IndexOf(':');
        throw reader.FailOnToken(0, colon < 0 ? text : text[..colon],
            "a prefix 'netmap:' or 'vale<switch>:'", SuggestNetmapName(text));
    }

    private static string SuggestNetmapName(string text)
    {
        int colon = text.IndexOf(':');
        string rest = colon >= 0 ? text[(colon + 1)..]
            : text.StartsWith(NetmapPrefix, StringComparison.Ordinal) ? text[NetmapPrefix.Length..]
            : text;
        return $"Did you mean 'netmap:{(rest.Length > 0 ? rest : "eth0")}'?";
    }

    private static (string PortName, PipeEnd Pipe, string? PipeId) SplitPipe(NameReader reader, int start, int end)
    {
        string text = reader.Text;
        int mark = text.IndexOfAny(PipeMarks, start, end - start);
        if (mark < 0)
            return (text[start..end], PipeEnd.None, null);

        char markChar = text[mark];
        string example = $"'netmap:p{markChar}1'";
        if (mark == start)
            throw reader.FailAt(mark, $"a port name before the pipe mark '{markChar}'",
                $"A pipe is named after its port, e.g. {example}.");
        if (mark + 1 == end)
            throw reader.FailAt(end, $"a pipe id after '{markChar}'", $"Name the pipe, e.g. {example}.");
        for (int i = mark + 1; i < end; i++)
        {
            if (!IsIdentifierChar(text[i]))
                throw reader.FailAt(i, "a pipe id of letters, digits or '_'", $"For example {example}.");
        }
        var pipe = markChar == '{' ? PipeEnd.Master : PipeEnd.Slave;
        return (text[start..mark], pipe, text[(mark + 1)..end]);
    }

    /// <summary>
    /// Interface, pipe parent, VALE port and switch names become interface lookups and (in emulated mode)
    /// file names: only ASCII letters, digits, '_' and '.', not first, and at most IFNAMSIZ - 1 bytes,
    /// so no '/', '..', space, control or shell character ever reaches a system call, path or command.
    /// </summary>
    private static void CheckInterfaceName(NameReader reader, int start, int end, string what)
    {
        string text = reader.Text;
        for (int i = start; i < end; i++)
        {
            char c = text[i];
            if (IsIdentifierChar(c) || (c == '.' && i > start)) continue;
            throw c == '.'
                ? reader.FailAt(i, $"an {what} that does not start with '.'", "'.' and '..' are not interfaces, and names that start with '.' are refused.")
                : reader.FailAt(i, $"an {what} of letters, digits, '_' and '.'",
                    "Linux interface names and netmap port names hold no '/', ':', spaces, control or shell characters.");
        }
        if (end - start > MaxInterfaceNameLength)
            throw new PortNameException(text, start + MaxInterfaceNameLength,
                $"at most {MaxInterfaceNameLength} characters for the {what}", $"a name of {end - start} characters",
                "Linux interface names (and netmap's VALE names) fit IFNAMSIZ, 16 bytes with the terminating NUL.");
    }

    private static void RejectNul(NameReader reader)
    {
        int nul = reader.Text.IndexOf('\0');
        if (nul >= 0)
            throw reader.FailOnToken(nul, "\\0", "a character other than NUL", "netmap names are C strings and end at a NUL.");
    }

    /// <summary>The kernel field holds UTF-8 bytes, so the limit is counted in bytes (= characters for ASCII).</summary>
    private static void CheckRequestNameLength(NameReader reader, int start, int end, bool isVale)
    {
        int bytes = 0;
        int firstOver = -1;
        for (int i = start; i < end; i++)
        {
            bytes += Utf8Length(reader.Text[i]);
            if (bytes > MaxRequestNameLength && firstOver < 0)
                firstOver = i;
        }
        if (firstOver < 0)
            return;
        string counted = isVale ? "the 'valeX:' prefix, port and pipe" : "port and pipe";
        throw new PortNameException(reader.Text, firstOver,
            $"at most {MaxRequestNameLength} bytes for {counted}", $"a name of {bytes} bytes",
            "The name is too long for netmap's request (NETMAP_REQ_IFNAMSIZ is 64 with the terminating NUL).");
    }

    /// <summary>UTF-8 length of one UTF-16 unit; each half of a surrogate pair counts 2 of the pair's 4.</summary>
    private static int Utf8Length(char c) => c switch
    {
        < '\u0080' => 1,
        < '\u0800' => 2,
        _ when char.IsSurrogate(c) => 2,
        _ => 3,
    };
}
