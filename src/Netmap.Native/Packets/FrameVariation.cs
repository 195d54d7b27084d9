namespace Netmap.Native.Packets;

/// <summary>
/// Which header fields vary from frame to frame in generated traffic, and over which values (pkt-gen's
/// -s/-d ranges, and -l for the length). A field left null keeps the template's value. Stepped, the
/// fields turn as pkt-gen's do, like the wheels of an odometer: the source port fastest, then the
/// source address, the destination port, the destination address, and after them the source MAC, the
/// destination MAC and the length. Random, each field takes a value of its set at random for every frame.
/// </summary>
public sealed record FrameVariation
{
    public ValueSet? SourceAddress { get; init; }
    public ValueSet? DestinationAddress { get; init; }
    public ValueSet? SourcePort { get; init; }
    public ValueSet? DestinationPort { get; init; }
    public ValueSet? SourceMac { get; init; }
    public ValueSet? DestinationMac { get; init; }
    /// <summary>Frame lengths (without the FCS, as pkt-gen's -l): the IP and UDP lengths grow with the frame, its payload padded with zeros.</summary>
    public ValueSet? Length { get; init; }
    public bool Random { get; init; }

    /// <summary>True when some field takes more than one value (or Random is asked for a field that does).</summary>
    public bool Varies => Fields().Any(f => f is { Count: > 1 });

    /// <summary>True when some field is set, with one value or several.</summary>
    public bool SetsAnything => Fields().Any(f => f is not null);

    /// <summary>True when an IPv4 or UDP field, or the length, is set: the template must be an IPv4/UDP frame.</summary>
    public bool NeedsUdp => SourceAddress is not null || DestinationAddress is not null || SourcePort is not null || DestinationPort is not null || Length is not null;

    /// <summary>This variation with the fields <paramref name="other"/> sets taken from it.</summary>
    public FrameVariation Over(FrameVariation? other) => other is null ? this : new()
    {
        SourceAddress = SourceAddress ?? other.SourceAddress, DestinationAddress = DestinationAddress ?? other.DestinationAddress,
        SourcePort = SourcePort ?? other.SourcePort, DestinationPort = DestinationPort ?? other.DestinationPort,
        SourceMac = SourceMac ?? other.SourceMac, DestinationMac = DestinationMac ?? other.DestinationMac,
        Length = Length ?? other.Length, Random = Random || other.Random,
    };

    /// <summary>The fields in odometer order (fastest first).</summary>
    internal ValueSet?[] Fields() => [SourcePort, SourceAddress, DestinationPort, DestinationAddress, SourceMac, DestinationMac, Length];

    public override string ToString()
    {
        var parts = new List<string>();
        void Add(string name, ValueSet? set, Func<ulong, string> format) { if (set is not null) parts.Add($"{name} {set.Describe(format)}"); }
        Add("src", SourceAddress, ValueSet.Ipv4Text);
        Add("sport", SourcePort, v => v.ToString());
        Add("dst", DestinationAddress, ValueSet.Ipv4Text);
        Add("dport", DestinationPort, v => v.ToString());
        Add("smac", SourceMac, ValueSet.MacText);
        Add("dmac", DestinationMac, ValueSet.MacText);
        Add("len", Length, v => v.ToString());
        return string.Join(", ", parts) + (Random ? " (random)" : "");
    }
}
