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
    [Parameter] public string SourceMac { get; set; } = "02:00:00:00:00:01";
    [Parameter] public string DestinationMac { get; set; } = "ff:ff:ff:ff:ff:ff";
    [Parameter] [ValidateRange(0, 4095)] public ushort? VlanId { get; set; }
    [Parameter] public IPAddress SourceAddress { get; set; } = IPAddress.Parse("10.0.0.2");
    [Parameter] public IPAddress DestinationAddress { get; set; } = IPAddress.Parse("10.0.0.1");
    [Parameter] public CraftProtocol Protocol { get; set; } = CraftProtocol.Udp;
    [Parameter] public ushort SourcePort { get; set; } = 12345;
    [Parameter] public ushort DestinationPort { get; set; } = 9;
    [Parameter] public byte Ttl { get; set; } = 64;
    /// <summary>TCP flags by name (SYN, ACK, FIN, RST, PSH, URG) or as a number.</summary>
    [Parameter] public string[] TcpFlags { get; set; } = { "SYN" };
    /// <summary>Bytes, or text (sent as UTF-8).</summary>
    [Parameter] public object? Payload { get; set; }
    /// <summary>Pad the frame with zeros to this many bytes (at least 60).</summary>
    [Parameter] [ValidateRange(60, 65535)] public int Length { get; set; } = 60;

    protected override void ProcessRecord()
    {
        try
        {
            var recipe = new PacketRecipe
            {
                SourceMac = Mac(SourceMac), DestinationMac = Mac(DestinationMac), VlanId = VlanId,
                SourceAddress = SourceAddress, DestinationAddress = DestinationAddress, Protocol = Protocol,
                SourcePort = SourcePort, DestinationPort = DestinationPort, Ttl = Ttl, TcpFlags = Flags(TcpFlags),
                Payload = Bytes(Payload), Length = Length,
            };
            var frame = PacketBuilder.Build(recipe);
            WriteObject(new NetmapPacket(frame, DateTime.UtcNow, "crafted", 0, 0) { LinkType = NetmapPacket.EthernetLinkType });
        }
        catch (Exception e) when (e is NetmapException or FormatException or ArgumentException)
        {
            WriteError(ErrorRecords.Create(e, ErrorId.InvalidPacketParameter, null));
        }
    }

    private static PhysicalAddress Mac(string text) =>
        PhysicalAddress.TryParse(text.Replace(':', '-').ToUpperInvariant(), out var mac) && mac.GetAddressBytes().Length == 6
            ? mac : throw new FormatException(Words.Format(Strings.NotAMacAddress, text));

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
