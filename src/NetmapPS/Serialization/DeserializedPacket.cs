using System.Management.Automation;
using System.Runtime.CompilerServices;
using Netmap.Native.Packets;

namespace NetmapPS.Serialization;

/// <summary>
/// The layers of a packet copy that stayed a property bag (output of Invoke-Command). The type data
/// that build.ps1 generates from <see cref="PacketLayers"/> (NetmapPS.Layers.Types.ps1xml) gives
/// Deserialized.Netmap.Native.Packets.NetmapPacket a property per layer (Udp) and per declared field
/// (Udp.DstPort) that calls here, so that <c>$_.Udp.DstPort</c> and <c>Where Udp.DstPort -eq 53</c>
/// work on the copy as on a packet. Each copy is rebuilt once, from its Data.
/// </summary>
public static class DeserializedPacket
{
    private static readonly ConditionalWeakTable<PSObject, NetmapPacket> Rebuilt = new();
    private static readonly RehydratingConverter Converter = new();

    /// <summary>The packet the copy was made from, rebuilt (with its PSComputerName).</summary>
    public static NetmapPacket Packet(PSObject instance) =>
        Rebuilt.GetValue(instance, copy => (NetmapPacket)PSObject.AsPSObject(
            Converter.ConvertFrom(copy, typeof(NetmapPacket), null!, true)).BaseObject);

    /// <summary>A property of the rebuilt packet by name, a layer (Udp) or a dotted path through one (Udp.DstPort).</summary>
    public static object? Value(PSObject instance, string name) => LayerProperties.ValueOf(Packet(instance), name);
}
