using System.Management.Automation;
using System.Net;
using System.Net.NetworkInformation;
using Netmap.Native;
using Netmap.Native.Packets;

namespace NetmapPS;

/// <summary>
/// Crafts an Ethernet frame (optionally VLAN-tagged) carrying ARP, or IPv4/IPv6 with UDP, TCP or
/// ICMP, with correct lengths and checksums. The packet goes straight into Send-NetmapPacket and
/// Export-NetmapCapture.
/// </summary>
[Cmdlet(VerbsCommon.New, "NetmapPacket")]
[OutputType(typeof(NetmapPacket))]
public sealed class NewNetmapPacketCommand : PSCmdlet
{
    /// <summary>A MAC address, or several (a range 02:00:00:00:00:01-02:00:00:00:00:09, a list) for generated traffic.</summary>
    [Parameter] public string[]? SourceMac { get; set; }
    [Parameter] public string[]? DestinationMac { get; set; }
    [Parameter] [ValidateRange(0, 4095)] public ushort? VlanId { get; set; }
    /// <summary>An address, or IPv4 ranges, lists and prefixes as pkt-gen's -s takes them: 10.0.0.1-10.0.0.9, 10.0.0.1-10.0.0.9:1234-1240, 10.0.0.0/30.</summary>
    [Parameter] public string[]? SourceAddress { get; set; }
    [Parameter] public string[]? DestinationAddress { get; set; }
    [Parameter] public CraftProtocol Protocol { get; set; } = CraftProtocol.Udp;
    /// <summary>A port, or a range (1234-1240) or list of them.</summary>
    [Parameter] public string[]? SourcePort { get; set; }
    [Parameter] public string[]? DestinationPort { get; set; }
    [Parameter] public byte Ttl { get; set; } = 64;
    /// <summary>TCP flags by name (SYN, ACK, FIN, RST, PSH, URG) or as a number.</summary>
    [Parameter] public string[] TcpFlags { get; set; } = { "SYN" };
    /// <summary>Bytes, or text (sent as UTF-8).</summary>
    [Parameter] public object? Payload { get; set; }
    /// <summary>The frame's length (at least 60), its payload lengthened with zeros to fill it as pkt-gen -l does; a range (60-1500) or list makes frames of those lengths.</summary>
    [Parameter] public string[]? Length { get; set; }
    /// <summary>Ranges and lists take their values at random rather than in turn.</summary>
    [Parameter] public SwitchParameter Random { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var given = GeneratorParameters.Read(SourceAddress, DestinationAddress, SourcePort, DestinationPort, SourceMac, DestinationMac, Length, Random);
            var recipe = new PacketRecipe { VlanId = VlanId, Protocol = Protocol, Ttl = Ttl, TcpFlags = Flags(TcpFlags), Payload = Bytes(Payload) };
            // what is not given keeps the recipe's default (02:00:00:00:00:01 to ff:ff:ff:ff:ff:ff, 10.0.0.2:12345 to 10.0.0.1:9, 60 bytes)
            if (given.SourceMac is { } sourceMac) recipe.SourceMac = GeneratorParameters.Mac(sourceMac);
            if (given.DestinationMac is { } destinationMac) recipe.DestinationMac = GeneratorParameters.Mac(destinationMac);
            if (given.SourceAddress is { } sourceAddress) recipe.SourceAddress = sourceAddress;
            if (given.DestinationAddress is { } destinationAddress) recipe.DestinationAddress = destinationAddress;
            if (given.SourcePort is { } sourcePort) recipe.SourcePort = sourcePort;
            if (given.DestinationPort is { } destinationPort) recipe.DestinationPort = destinationPort;
            if (given.Length is { } length && given.Variation?.Length is null) (recipe.Length, recipe.PayloadFillsLength) = (length, true); // a varying length pads each frame itself
            var frame = PacketBuilder.Build(recipe);
            if (given.Variation is { } variation) frame = FirstFrame(frame, variation);
            WriteObject(new NetmapPacket(frame, DateTime.UtcNow, "crafted", 0, 0) { LinkType = NetmapPacket.EthernetLinkType, Variation = given.Variation });
        }
        catch (Exception e) when (e is NetmapException or FormatException or ArgumentException)
        {
            WriteError(ErrorRecords.Create(e, ErrorId.InvalidPacketParameter, null));
        }
    }

    /// <summary>The first frame of the variation: the template with every varying field at its first value (and the checksums to match).</summary>
    private static byte[] FirstFrame(byte[] template, FrameVariation variation) => new FrameGenerator(template, variation with { Random = false }).NextFrame();

    private static byte Flags(string[] names)
    {
        byte flags = 0;
        foreach (var name in names)
            flags |= name.ToUpperInvariant() switch
            {
                "FIN" => 0x01, "SYN" => 0x02, "RST" => 0x04, "PSH" => 0x08, "ACK" => 0x10, "URG" => 0x20,
                var n when byte.TryParse(n, out var b) => b,
                _ => throw new FormatException(Words.Format(Strings.NotATcpFlag, name)),
            };
        return flags;
    }

    private static byte[] Bytes(object? payload) => (payload is PSObject ps ? ps.BaseObject : payload) switch
    {
        null => Array.Empty<byte>(),
        byte[] b => b,
        string s => System.Text.Encoding.UTF8.GetBytes(s),
        object[] items => LanguagePrimitives.ConvertTo<byte[]>(items),
        var other => throw new ArgumentException(Words.Format(Strings.PayloadType, other.GetType().Name)),
    };
}
