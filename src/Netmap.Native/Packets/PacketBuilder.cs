using System.Net;
using System.Net.NetworkInformation;
using AddressFamily = System.Net.Sockets.AddressFamily;
using ProtocolType = PacketDotNet.ProtocolType;
using PacketDotNet;
using PacketDotNet.Utils;

namespace Netmap.Native.Packets;

/// <summary>Transport carried by a crafted frame.</summary>
public enum CraftProtocol { Udp, Tcp, Icmp, Arp, None }

/// <summary>What to put in a crafted frame; whatever is left out gets a sensible default.</summary>
public sealed class PacketRecipe
{
    public PhysicalAddress SourceMac { get; set; } = PhysicalAddress.Parse("02-00-00-00-00-01");
    public PhysicalAddress DestinationMac { get; set; } = PhysicalAddress.Parse("FF-FF-FF-FF-FF-FF");
    public ushort? VlanId { get; set; }
    public IPAddress SourceAddress { get; set; } = IPAddress.Parse("10.0.0.2");
    public IPAddress DestinationAddress { get; set; } = IPAddress.Parse("10.0.0.1");
    public CraftProtocol Protocol { get; set; } = CraftProtocol.Udp;
    public ushort SourcePort { get; set; } = 12345;
    public ushort DestinationPort { get; set; } = 9;
    public byte Ttl { get; set; } = 64;
    /// <summary>TCP flags: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20.</summary>
    public byte TcpFlags { get; set; } = 0x02;
    public byte[] Payload { get; set; } = Array.Empty<byte>();
    /// <summary>Pad the frame with zeros up to this many bytes (60 at least, as Ethernet wants).</summary>
    public int Length { get; set; } = 60;
    /// <summary>Reach <see cref="Length"/> by lengthening the payload with zeros, so that the IP packet fills the
    /// frame (pkt-gen -l), rather than with padding after the packet (a NIC's minimum-size padding). ARP is padded.</summary>
    public bool PayloadFillsLength { get; set; }
}

/// <summary>Builds Ethernet frames with PacketDotNet, with correct lengths and checksums.</summary>
public static class PacketBuilder
{
    public static byte[] Build(PacketRecipe r)
    {
        byte[] bytes = Frame(r, r.Payload);
        int length = Math.Max(r.Length, 60);
        if (bytes.Length < length && r.PayloadFillsLength && r.Protocol != CraftProtocol.Arp)
            bytes = Frame(r, [.. r.Payload, .. new byte[length - bytes.Length]]);
        return bytes.Length >= length ? bytes : bytes.Concat(new byte[length - bytes.Length]).ToArray();
    }

    /// <summary>The frame of <paramref name="r"/> carrying <paramref name="payload"/> in place of its own payload.</summary>
    private static byte[] Frame(PacketRecipe r, byte[] payload)
    {
        bool v6 = r.SourceAddress.AddressFamily == AddressFamily.InterNetworkV6;
        if (r.Protocol != CraftProtocol.Arp && v6 != (r.DestinationAddress.AddressFamily == AddressFamily.InterNetworkV6))
            throw new NetmapException(NetmapError.InvalidRequest, $"Source {r.SourceAddress} and destination {r.DestinationAddress} must both be IPv4 or both IPv6.");
        Packet inner = r.Protocol switch
        {
            CraftProtocol.Arp => new ArpPacket(ArpOperation.Request, PhysicalAddress.Parse("00-00-00-00-00-00"), r.DestinationAddress, r.SourceMac, r.SourceAddress),
            _ => Ip(r, v6, payload),
        };
        var ethernet = new EthernetPacket(r.SourceMac, r.DestinationMac, TypeOf(inner)) { PayloadPacket = inner };
        byte[] bytes = ethernet.Bytes;
        if (r.VlanId is ushort vlan) // an 802.1Q tag between the MAC addresses and the EtherType
            bytes = [.. bytes.AsSpan(0, 12), 0x81, 0x00, (byte)(vlan >> 8), (byte)vlan, .. bytes.AsSpan(12)];
        return bytes;
    }

    private static EthernetType TypeOf(Packet p) => p switch
    {
        ArpPacket => EthernetType.Arp,
        IPv6Packet => EthernetType.IPv6,
        _ => EthernetType.IPv4,
    };

    private static Packet Ip(PacketRecipe r, bool v6, byte[] payload)
    {
        IPPacket ip = v6 ? new IPv6Packet(r.SourceAddress, r.DestinationAddress) : new IPv4Packet(r.SourceAddress, r.DestinationAddress);
        ip.TimeToLive = r.Ttl;
        Packet? transport = r.Protocol switch
        {
            CraftProtocol.Udp => new UdpPacket(r.SourcePort, r.DestinationPort) { PayloadData = payload },
            CraftProtocol.Tcp => new TcpPacket(r.SourcePort, r.DestinationPort) { Flags = r.TcpFlags, WindowSize = 65535, PayloadData = payload },
            CraftProtocol.Icmp when v6 => IcmpV6Echo(payload),
            CraftProtocol.Icmp => new IcmpV4Packet(new ByteArraySegment(new byte[8 + payload.Length])) { TypeCode = IcmpV4TypeCode.EchoRequest, Id = 1, Sequence = 1, Data = payload },
            _ => null,
        };
        if (transport is null) ip.PayloadData = payload;
        else ip.PayloadPacket = transport;
        ip.Protocol = r.Protocol switch
        {
            CraftProtocol.Udp => ProtocolType.Udp,
            CraftProtocol.Tcp => ProtocolType.Tcp,
            CraftProtocol.Icmp => v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp,
            _ => ProtocolType.Reserved254,
        };
        ip.UpdateCalculatedValues();
        switch (transport)
        {
            case UdpPacket udp: udp.UpdateCalculatedValues(); udp.UpdateUdpChecksum(); break;
            case TcpPacket tcp: tcp.UpdateCalculatedValues(); tcp.UpdateTcpChecksum(); break;
            case IcmpV4Packet icmp: icmp.UpdateIcmpChecksum(); break;
            case IcmpV6Packet icmp6: icmp6.UpdateCalculatedValues(); break;
        }
        if (ip is IPv4Packet v4) v4.UpdateIPChecksum();
        return ip;
    }

    private static IcmpV6Packet IcmpV6Echo(byte[] payload)
    {
        var bytes = new byte[8 + payload.Length];
        bytes[0] = 128; // echo request
        payload.CopyTo(bytes, 8);
        return new IcmpV6Packet(new ByteArraySegment(bytes));
    }
}
