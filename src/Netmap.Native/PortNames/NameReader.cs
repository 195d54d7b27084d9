namespace Netmap.Native.PortNames;

/// <summary>A cursor over a port name that also builds positioned errors.</summary>
internal sealed class NameReader(string text)
{
    /// <summary>The whole port name.</summary>
    public string Text { get; } = text;

    /// <summary>Offset of the next character to read.</summary>
    public int Position { get; set; }

    /// <summary>True when every character has been read.</summary>
    public bool AtEnd => Position >= Text.Length;

    /// <summary>True when the next character is <paramref name="c"/>.</summary>
    public bool Peek(char c) => !AtEnd && Text[Position] == c;

    /// <summary>True when the character <paramref name="ahead"/> places on is a decimal digit.</summary>
    public bool PeekDigit(int ahead = 0) =>
        Position + ahead < Text.Length && PortNameSyntax.IsDigit(Text[Position + ahead]);

    /// <summary>Reads <paramref name="c"/> if it is next.</summary>
    public bool TryTake(char c)
    {
        if (!Peek(c))
            return false;
        Position++;
        return true;
    }

    /// <summary>Reads characters while <paramref name="accept"/> holds and returns them.</summary>
    public string TakeWhile(Func<char, bool> accept)
    {
        int start = Position;
        while (!AtEnd && accept(Text[Position]))
            Position++;
        return Text[start..Position];
    }

    /// <summary>An error at the current position.</summary>
    public PortNameException Fail(string expected, string? hint = null) => FailAt(Position, expected, hint);

    /// <summary>An error at <paramref name="position"/>, quoting the character found there.</summary>
    public PortNameException FailAt(int position, string expected, string? hint = null) =>
        new(Text, position, expected, DescribeCharAt(position), hint);

    /// <summary>An error at <paramref name="position"/>, where <paramref name="token"/> was found.</summary>
    public PortNameException FailOnToken(int position, string token, string expected, string? hint = null) =>
        new(Text, position, expected, $"'{token}'", hint);

    private string DescribeCharAt(int position) =>
        position >= Text.Length ? "end of name"
        : char.IsControl(Text[position]) ? $"the control character U+{(int)Text[position]:X4}"
        : $"'{Text[position]}'";
}
