using System.Management.Automation;

namespace NetmapPS.Completion;

/// <summary>The word being completed, without its quotes, and how to write a candidate back.</summary>
internal readonly struct CompletionWord
{
    private readonly char _quote;

    /// <summary>Splits <paramref name="wordToComplete"/> as TabExpansion2 passes it (quotes included).</summary>
    public CompletionWord(string? wordToComplete)
    {
        string word = wordToComplete ?? "";
        _quote = word.Length > 0 && word[0] is '\'' or '"' ? word[0] : '\0';
        if (_quote != '\0') word = word[1..];
        if (_quote != '\0' && word.EndsWith(_quote)) word = word[..^1];
        Text = word;
    }

    /// <summary>What the user typed so far, unquoted.</summary>
    public string Text { get; }

    /// <summary>True when <paramref name="candidate"/> starts with what was typed (case-insensitive).</summary>
    public bool Matches(string candidate) => candidate.StartsWith(Text, StringComparison.OrdinalIgnoreCase);

    /// <summary>A completion result that keeps the user's quote, or adds single quotes when the text needs them.</summary>
    public CompletionResult Result(string value, string toolTip) =>
        new(Quote(value), value, CompletionResultType.ParameterValue, string.IsNullOrEmpty(toolTip) ? value : toolTip);

    private string Quote(string value)
    {
        if (_quote == '"') return $"\"{value.Replace("`", "``").Replace("\"", "`\"").Replace("$", "`$")}\"";
        if (_quote == '\'' || NeedsQuotes(value)) return $"'{value.Replace("'", "''")}'";
        return value;
    }

    /// <summary>Characters that end or change a bare command argument: braces, commas, '@' and the like.</summary>
    private static bool NeedsQuotes(string value) =>
        value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || "{}()[];,|&$@'\"`<>#".Contains(c));
}
