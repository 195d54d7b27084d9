using System.Globalization;
using Netmap.Native;

namespace NetmapPS;

/// <summary>Reads the module's words from Strings.resx: messages with their values, and the wording of each engine remedy.</summary>
internal static class Words
{
    /// <summary><paramref name="template"/> (a <see cref="Strings"/> property) with <paramref name="values"/> in its {0}, {1}...</summary>
    public static string Format(string template, params object?[] values) => string.Format(CultureInfo.CurrentCulture, template, values);

    /// <summary>The module's wording of <paramref name="remedy"/> for <paramref name="subject"/>, or null for <see cref="NetmapRemedy.None"/>.</summary>
    public static string? Of(NetmapRemedy remedy, string? subject) =>
        remedy == NetmapRemedy.None ? null : Format(Wording(remedy) ?? throw new InvalidOperationException(
            $"Strings.resx has no wording for NetmapRemedy.{remedy}; add Remedy_{remedy}."), subject);

    /// <summary>The template of <paramref name="remedy"/> in the resource file, or null when it has none.</summary>
    public static string? Wording(NetmapRemedy remedy) => Strings.ResourceManager.GetString($"Remedy_{remedy}", Strings.Culture);

    /// <summary>An engine warning with the module's wording of its fix.</summary>
    public static string Of(NetmapWarning warning) => Of(warning.Remedy, warning.Subject) is { } fix ? Format(Strings.MessageAndFix, warning.Message, fix) : warning.Message;
}
