using System.Reflection;

namespace Netmap.Native.Packets;

/// <summary>
/// One layer a packet shows: the <see cref="NetmapPacket"/> property that holds it (Udp), the class of
/// the layer (UdpLayer; for a list such as Vlans, the class of each item), and the fields its table
/// view shows, which copies of packets from remote sessions also answer as dotted names (Udp.DstPort).
/// </summary>
public sealed class LayerDeclaration
{
    internal LayerDeclaration(string name, params string[] fields)
    {
        Property = typeof(NetmapPacket).GetProperty(name)
            ?? throw new InvalidOperationException($"NetmapPacket has no property '{name}' for the layer declared with that name.");
        Type type = Property.PropertyType;
        IsList = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>);
        LayerType = IsList ? type.GetGenericArguments()[0] : Nullable.GetUnderlyingType(type) ?? type;
        Fields = fields;
        foreach (string field in fields)
            if (LayerType.GetProperty(field) is null)
                throw new InvalidOperationException($"The {name} layer declares the field '{field}', which {LayerType.Name} does not have.");
    }

    /// <summary>The packet property, which is also the first part of dotted names (Udp in Udp.DstPort).</summary>
    public string Name => Property.Name;
    public PropertyInfo Property { get; }
    /// <summary>The layer's class (the item class of a list).</summary>
    public Type LayerType { get; }
    /// <summary>True when the property holds every layer of its kind (Vlans: all tags, outer first).</summary>
    public bool IsList { get; }
    /// <summary>
    /// The fields the layer's table view shows, in order. Empty for a property that shows a layer
    /// declared under another name (Ip holds an Ipv4 or Ipv6 layer; Vlans holds Vlan layers).
    /// </summary>
    public IReadOnlyList<string> Fields { get; }
    /// <summary>The layer of <paramref name="packet"/>, or null when the frame does not have it.</summary>
    public object? Of(NetmapPacket packet) => Property.GetValue(packet);
    public override string ToString() => Name;
}

/// <summary>
/// The layers of a packet, declared once. What PowerShell shows of them is made from this list:
/// the layer properties of packet copies that come back from remote sessions (with their dotted
/// names), and the table view of each layer class (tools/New-LayerTypeData.ps1 writes both at build
/// time). A new layer is its class (Layers.cs), its decoding (FrameDecoder), its NetmapPacket
/// property, and a line here; PacketLayersTests fails while a layer class is left out.
/// </summary>
public static class PacketLayers
{
    /// <summary>In the order of the frame.</summary>
    public static IReadOnlyList<LayerDeclaration> All { get; } =
    [
        new(nameof(NetmapPacket.Ethernet), "Source", "Destination", "Type"),
        new(nameof(NetmapPacket.Vlan), "TagProtocol", "VlanIdentifier", "Priority", "DropEligible", "Type"),
        new(nameof(NetmapPacket.Vlans)),
        new(nameof(NetmapPacket.Arp), "Operation", "SenderHardwareAddress", "Src", "Dst"),
        new(nameof(NetmapPacket.Ip)),
        new(nameof(NetmapPacket.Ipv4), "Src", "Dst", "Protocol", "TimeToLive", "TotalLength", "Identification", "FragmentOffset"),
        new(nameof(NetmapPacket.Ipv6), "Src", "Dst", "Protocol", "HopLimit", "PayloadLength", "FlowLabel", "ExtensionHeadersLength"),
        new(nameof(NetmapPacket.Udp), "SrcPort", "DstPort", "Length", "Checksum"),
        new(nameof(NetmapPacket.Tcp), "SrcPort", "DstPort", "SequenceNumber", "AcknowledgmentNumber", "Flags", "WindowSize"),
        new(nameof(NetmapPacket.Icmp), "Version", "Type", "Code", "Identifier", "Sequence"),
        new(nameof(NetmapPacket.Dns), "Id", "IsResponse", "Opcode", "Rcode", "Questions", "Answers"),
    ];

    /// <summary>The declaration whose view shows <paramref name="layerType"/>, or null.</summary>
    public static LayerDeclaration? ViewOf(Type layerType) => All.FirstOrDefault(d => d.LayerType == layerType && d.Fields.Count > 0);
}
