using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Netmap.Native.Packets;

/// <summary>
/// The values one header field takes in generated traffic: one value, a range (10.0.0.1-10.0.0.9,
/// 1234-1240, 60-1500), a list, or a list of ranges, in the order given. Values are numbers: an IPv4
/// address as its 32 bits, a MAC address as its 48, a port or a length as itself.
/// </summary>
public sealed class ValueSet
{
    private readonly (ulong First, ulong Count)[] _segments;

    private ValueSet((ulong First, ulong Count)[] segments)
    {
        _segments = segments;
        foreach (var s in segments) Count += s.Count;
    }

    /// <summary>How many values there are.</summary>
    public ulong Count { get; }

    public ulong Min => _segments.Min(s => s.First);
    public ulong Max => _segments.Max(s => s.First + s.Count - 1);

    /// <summary>The <paramref name="index"/>th value (0 to Count - 1), in the order given.</summary>
    public ulong At(ulong index)
    {
        if (index >= Count) throw new ArgumentOutOfRangeException(nameof(index));
        if (_segments.Length == 1) return _segments[0].First + index; // a range: the common case, no walk
        foreach (var (first, count) in _segments)
        {
            if (index < count) return first + index;
            index -= count;
        }
        throw new ArgumentOutOfRangeException(nameof(index));
    }

    /// <summary>The values as text, the way they were given (for messages and reports).</summary>
    public string Describe(Func<ulong, string> format) =>
        string.Join(",", _segments.Select(s => s.Count == 1 ? format(s.First) : $"{format(s.First)}-{format(s.First + s.Count - 1)}"));

    public static ValueSet Single(ulong value) => new([(value, 1)]);

    /// <summary>Numbers from <paramref name="min"/> to <paramref name="max"/>: '53', '1234-1240', '60-1500'; items of a list each one of those.</summary>
    /// <exception cref="NetmapException">An item is not a number or range within the bounds (InvalidRequest).</exception>
    public static ValueSet Numbers(IEnumerable<string> items, string what, ulong min, ulong max) =>
        Parse(items, what, text => ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max ? v : null,
            $"a whole number from {min} to {max}");

    /// <summary>IPv4 addresses: '10.0.0.1', '10.0.0.1-10.0.0.9', '10.0.0.0/30' (every address of the prefix).</summary>
    public static ValueSet Ipv4(IEnumerable<string> items, string what)
    {
        var expanded = new List<string>();
        foreach (var item in items)
        {
            int slash = item.IndexOf('/');
            if (slash < 0) { expanded.Add(item); continue; }
            if (Ipv4Of(item[..slash]) is not { } network || !int.TryParse(item[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int bits) || bits > 32)
                throw Invalid(what, item, "an IPv4 address, a range such as 10.0.0.1-10.0.0.9, or a prefix such as 10.0.0.0/30");
            ulong size = 1UL << (32 - bits), first = network & ~(size - 1);
            expanded.Add($"{Ipv4Text(first)}-{Ipv4Text(first + size - 1)}");
        }
        return Parse(expanded, what, Ipv4Of, "an IPv4 address, a range such as 10.0.0.1-10.0.0.9, or a prefix such as 10.0.0.0/30");
    }

    /// <summary>MAC addresses: '02:00:00:00:00:01', '02:00:00:00:00:01-02:00:00:00:00:ff' (':' or '-' between the bytes).</summary>
    public static ValueSet Mac(IEnumerable<string> items, string what)
    {
        // a range of MACs written with '-' between the bytes is ambiguous: only ':' separates the bytes of a range's ends
        var split = items.Select(i => i.Count(c => c == '-') == 5 ? i.Replace('-', ':') : i).ToList();
        return Parse(split, what, MacOf, "a MAC address such as 02:00:00:00:00:01, or a range of two joined by '-'");
    }

    public static string Ipv4Text(ulong value) => new IPAddress(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value }).ToString();

    public static string MacText(ulong value) => string.Join(":", Enumerable.Range(0, 6).Select(i => ((byte)(value >> (40 - 8 * i))).ToString("x2", CultureInfo.InvariantCulture)));

    private static ulong? Ipv4Of(string text) =>
        IPAddress.TryParse(text.Trim(), out var a) && a.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') == 3
            ? a.GetAddressBytes().Aggregate(0UL, (v, b) => v << 8 | b) : null;

    private static ulong? MacOf(string text)
    {
        var parts = text.Trim().Split(':');
        if (parts.Length != 6) return null;
        ulong v = 0;
        foreach (var p in parts)
        {
            if (p.Length is < 1 or > 2 || !byte.TryParse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b)) return null;
            v = v << 8 | b;
        }
        return v;
    }

    private static ValueSet Parse(IEnumerable<string> items, string what, Func<string, ulong?> value, string expected)
    {
        var segments = new List<(ulong, ulong)>();
        foreach (var raw in items.SelectMany(i => i.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            int dash = raw.IndexOf('-', 1);
            ulong? first = value(dash < 0 ? raw : raw[..dash]), last = dash < 0 ? first : value(raw[(dash + 1)..]);
            if (first is null || last is null) throw Invalid(what, raw, expected);
            (ulong lo, ulong hi) = first <= last ? (first.Value, last.Value) : (last.Value, first.Value); // pkt-gen swaps reversed ends too
            segments.Add((lo, hi - lo + 1));
        }
        if (segments.Count == 0) throw Invalid(what, "", expected);
        return new ValueSet(segments.ToArray());
    }

    private static NetmapException Invalid(string what, string text, string expected) =>
        new(NetmapError.InvalidRequest, $"'{text}' is not a valid {what}: expected {expected}.");
}
