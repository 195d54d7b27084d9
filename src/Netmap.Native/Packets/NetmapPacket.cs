using PacketDotNet;

namespace Netmap.Native.Packets;

/// <summary>
/// A frame copied out of a ring: where and when it was received, its bytes, and its protocol layers,
/// parsed with PacketDotNet the first time one is asked for (packets that are only counted or
/// filtered are never parsed). A layer that the frame does not have is null.
/// </summary>
public sealed class NetmapPacket
{
    private Packet? _parsed;
    private bool _parseTried;
    private PacketSummary? _summary;
    private FrameLayers? _layers;

    public NetmapPacket(byte[] data, DateTime timestamp, string port, uint ring, uint slot, int originalLength = -1, long timestampNanoseconds = -1)
    {
        Data = data;
        Timestamp = timestamp;
        TimestampNanoseconds = timestampNanoseconds >= 0 ? timestampNanoseconds : (timestamp.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) * 100;
        Port = port;
        Ring = ring;
        Slot = slot;
        OriginalLength = originalLength < 0 ? data.Length : originalLength;
    }

    /// <summary>LINKTYPE_ETHERNET: the link type of every frame a netmap ring holds.</summary>
    public const int EthernetLinkType = LinkTypes.Ethernet;

    /// <summary>
    /// The link-layer header type of Data (a LINKTYPE_ value), set by whoever makes the packet: the port's
    /// (NetmapPort.LinkType) for frames from rings, the capture file's own for imported packets. Filters are
    /// compiled for it, Export-NetmapCapture writes it back. Layers are read for Ethernet, raw IP and Linux
    /// cooked (SLL) frames (<see cref="FrameDecoder.Reads"/>).
    /// </summary>
    public int LinkType { get; init; } = EthernetLinkType;

    /// <summary>
    /// For a crafted packet with ranges or lists (New-NetmapPacket's generator form): the fields that vary
    /// from frame to frame when it is sent, Data being the first frame. Null for every other packet.
    /// </summary>
    public FrameVariation? Variation { get; init; }

    /// <summary>Position in the capture it came from (1 for the first), when the producer numbers packets.</summary>
    public long Number { get; set; }
    /// <summary>When the ring was last synced before the frame was read (netmap stamps rings, not slots), UTC.</summary>
    public DateTime Timestamp { get; }
    /// <summary>The same instant in nanoseconds since 1970 (exact for packets read from a capture file).</summary>
    public long TimestampNanoseconds { get; }
    public string Port { get; }
    public uint Ring { get; }
    public uint Slot { get; }
    /// <summary>Bytes held in <see cref="Data"/>.</summary>
    public int Length => Data.Length;
    /// <summary>Bytes the frame had on the wire (more than Length when a capture cut it short).</summary>
    public int OriginalLength { get; }
    /// <summary>The frame's bytes, from the destination MAC on.</summary>
    public byte[] Data { get; }

    /// <summary>
    /// The whole frame as PacketDotNet parsed it (an EthernetPacket), or null when it cannot be parsed: its
    /// object model, for building and changing frames. PacketDotNet 1.4.8 misreads some fields (signed
    /// 16-bit values, IPv6 extension-header chains, bytes past the capture), so the layer properties
    /// below come from FrameDecoder, which corrects it and agrees with tshark.
    /// </summary>
    public Packet? Parsed
    {
        get
        {
            if (!_parseTried)
            {
                _parseTried = true;
                try { _parsed = WholeLayers(Packet.ParsePacket((LinkLayers)LinkType, Data), Data.Length); }
                catch (Exception) { _parsed = null; } // a malformed frame has no layers, not an error
            }
            return _parsed;
        }
    }

    /// <summary>The layers, read on first use.</summary>
    private FrameLayers Layers => _layers ??= FrameDecoder.Decode(Data, LinkType);

    public EthernetLayer? Ethernet => Layers.Ethernet;
    /// <summary>The outer 802.1Q/802.1ad tag (Vlans has them all, outer first).</summary>
    public VlanLayer? Vlan => Layers.Vlans.Count > 0 ? Layers.Vlans[0] : null;
    public IReadOnlyList<VlanLayer> Vlans => Layers.Vlans;
    public ArpLayer? Arp => Layers.Arp;
    /// <summary>IPv4 or IPv6.</summary>
    public IpLayer? Ip => Layers.Ip;
    public Ipv4Layer? Ipv4 => Layers.Ip as Ipv4Layer;
    public Ipv6Layer? Ipv6 => Layers.Ip as Ipv6Layer;
    public UdpLayer? Udp => Layers.Udp;
    public TcpLayer? Tcp => Layers.Tcp;
    /// <summary>ICMP for IPv4 or ICMPv6 (Icmp.Version says which).</summary>
    public IcmpLayer? Icmp => Layers.Icmp;
    /// <summary>DNS (or mDNS) over UDP or TCP port 53/5353; Dns.Malformed says what is wrong with a damaged message.</summary>
    public DnsLayer? Dns => Layers.Dns;
    /// <summary>The layer the captured bytes ended inside (so it is absent), or null.</summary>
    public string? TruncatedLayer => Layers.TruncatedLayer;

    /// <summary>Source address as Wireshark's column shows it: IP, else MAC.</summary>
    public string Source => Summary.Source;
    public string Destination => Summary.Destination;
    /// <summary>The highest protocol recognised: DNS, UDP, TCP, ICMP, ARP, IPv4, IPv6, Ethernet...</summary>
    public string Protocol => Summary.Protocol;
    /// <summary>A one-line description, as tcpdump prints it.</summary>
    public string Info => Summary.Info;
    /// <summary>Source, destination, protocol and info on one line.</summary>
    public string Line => Summary.Line;

    private PacketSummary Summary => _summary ??= PacketSummary.Of(this);

    /// <summary>
    /// PacketDotNet takes the lengths in a frame's headers at their word: in a truncated frame a
    /// layer's header or payload reaches past the last byte, and reading its fields or enumerating
    /// its bytes (Format-List, ConvertTo-Json) throws. This keeps the layers whose header is whole
    /// and cuts each payload to the bytes the frame has.
    /// </summary>
    private static Packet? WholeLayers(Packet? packet, int length)
    {
        Packet? parent = null;
        for (var layer = packet; layer is not null; parent = layer, layer = layer.PayloadPacket)
        {
            var header = layer.HeaderSegment;
            if (header is null) break;
            if (header.Offset + header.Length > length)
            {
                if (parent is null) return null;
                // the cut layer's bytes stay as its parent's payload data (PacketDotNet takes no null payload packet)
                parent.PayloadDataSegment = new PacketDotNet.Utils.ByteArraySegment(header.Bytes, header.Offset, Math.Max(0, length - header.Offset));
                break;
            }
            if (layer.PayloadDataSegment is { } payload && payload.Offset + payload.Length > length)
                payload.Length = Math.Max(0, length - payload.Offset);
        }
        return packet;
    }

    public override string ToString() => Summary.Line;
}
