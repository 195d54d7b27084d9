namespace Netmap.Native.PortNames;

/// <summary>
/// Thrown when a netmap port name does not follow the grammar; says where, what was expected there,
/// what was found, and often how to fix it.
/// </summary>
public sealed class PortNameException : FormatException
{
    /// <summary>Creates the exception and its message.</summary>
    /// <param name="portName">The whole port name being parsed.</param>
    /// <param name="position">Zero-based offset of the problem in <paramref name="portName"/>.</param>
    /// <param name="expected">What the grammar allows at that offset, in plain words.</param>
    /// <param name="found">What is there instead, e.g. <c>'x'</c> or <c>end of name</c>.</param>
    /// <param name="hint">An optional sentence on how to fix the name.</param>
    public PortNameException(string portName, int position, string expected, string found, string? hint = null)
        : base(ComposeMessage(portName, position, expected, found, hint))
    {
        PortName = portName;
        Position = position;
        Expected = expected;
        Found = found;
        Hint = hint;
    }

    /// <summary>The whole port name being parsed.</summary>
    public string PortName { get; }

    /// <summary>Zero-based offset of the problem in <see cref="PortName"/>.</summary>
    public int Position { get; }

    /// <summary>What the grammar allows at <see cref="Position"/>.</summary>
    public string Expected { get; }

    /// <summary>What is at <see cref="Position"/> instead.</summary>
    public string Found { get; }

    /// <summary>How to fix the name, when there is something useful to say; otherwise null.</summary>
    public string? Hint { get; }

    private static string ComposeMessage(string portName, int position, string expected, string found, string? hint)
    {
        string message = $"Invalid port name '{Printable(portName)}' at offset {position}: expected {expected}, found {found}.";
        return hint is null ? message : $"{message} {hint}";
    }

    /// <summary>The name with control characters written as \uXXXX, so that a message never carries a newline or a terminal escape.</summary>
    public static string Printable(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) : text;
}
