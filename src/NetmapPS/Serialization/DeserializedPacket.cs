using System.Management.Automation;
using System.Runtime.CompilerServices;
using Netmap.Native.Packets;

namespace NetmapPS.Serialization;

/// <summary>
/// The layers of a packet copy that stayed a property bag (output of Invoke-Command): code
/// properties of Deserialized.Netmap.Native.Packets.NetmapPacket in NetmapPS.Serialization.ps1xml, so
/// that <c>$_.Udp.DstPort</c> works on it as on a packet. Each copy is rebuilt once, from its Data.
/// </summary>
public static class DeserializedPacket
{
    private static readonly ConditionalWeakTable<PSObject, NetmapPacket> Rebuilt = new();
    private static readonly RehydratingConverter Converter = new();

    /// <summary>The packet the copy was made from, rebuilt (with its PSComputerName).</summary>
    public static NetmapPacket Packet(PSObject instance) =>
        Rebuilt.GetValue(instance, copy => (NetmapPacket)PSObject.AsPSObject(
            Converter.ConvertFrom(copy, typeof(NetmapPacket), null!, true)).BaseObject);

    /// <summary>The Ethernet layer.</summary>
    public static object? Ethernet(PSObject instance) => Packet(instance).Ethernet;
    /// <summary>The 802.1Q layer.</summary>
    public static object? Vlan(PSObject instance) => Packet(instance).Vlan;
    /// <summary>The ARP layer.</summary>
    public static object? Arp(PSObject instance) => Packet(instance).Arp;
    /// <summary>The IPv4 or IPv6 layer.</summary>
    public static object? Ip(PSObject instance) => Packet(instance).Ip;
    /// <summary>The IPv4 layer.</summary>
    public static object? Ipv4(PSObject instance) => Packet(instance).Ipv4;
    /// <summary>The IPv6 layer.</summary>
    public static object? Ipv6(PSObject instance) => Packet(instance).Ipv6;
    /// <summary>The UDP layer.</summary>
    public static object? Udp(PSObject instance) => Packet(instance).Udp;
    /// <summary>The TCP layer.</summary>
    public static object? Tcp(PSObject instance) => Packet(instance).Tcp;
    /// <summary>The ICMP layer (v4 or v6).</summary>
    public static object? Icmp(PSObject instance) => Packet(instance).Icmp;
    /// <summary>The DNS layer.</summary>
    public static object? Dns(PSObject instance) => Packet(instance).Dns;
    /// <summary>All VLAN tags, outer first.</summary>
    public static object? Vlans(PSObject instance) => Packet(instance).Vlans;
}
