using System.Globalization;
using Netmap.Native.Capture;
using Netmap.Native.Packets;
using Xunit;
using Xunit.Abstractions;

namespace Netmap.Native.Tests;

/// <summary>
/// The layers of NetmapPacket against Wireshark, field by field: a few thousand generated frames
/// (PacketFrames) go into a pcap, one tshark run prints every field both report, and each field of each
/// frame must agree. A layer NetmapPacket shows must match tshark's in every field; a layer it does not
/// show must be absent in tshark too, unless the capture ended inside that layer's header
/// (TruncatedLayer), where tshark shows the part it could read.
/// </summary>
public sealed class PacketTsharkAgreementTests(ITestOutputHelper output)
{
    private sealed record Field(string Layer, string Name, Func<NetmapPacket, string?> Ours);

    private static string? Join<T>(IEnumerable<T> values)
    {
        string[] parts = values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray();
        return parts.Length == 0 ? null : string.Join(',', parts);
    }

    private static string B(bool value) => value ? "1" : "0";
    private static string Mac(System.Net.NetworkInformation.PhysicalAddress? a) => a is null ? "" : string.Join(':', a.GetAddressBytes().Select(b => b.ToString("x2")));
    private static IEnumerable<Ipv6ExtensionHeader> Ext(NetmapPacket p, byte type) => p.Ipv6?.ExtensionHeaders.Where(h => h.Type == type) ?? [];
    private static IEnumerable<TcpOption> Opt(NetmapPacket p, byte kind, int length) => p.Tcp?.Options.Where(o => o.Kind == kind && o.Length == length) ?? [];
    private static IEnumerable<DnsRecord> Records(NetmapPacket p) => p.Dns is { } d ? d.Answers.Concat(d.Authorities).Concat(d.Additionals) : [];
    private static IEnumerable<VlanLayer> Tags(NetmapPacket p, ushort tpid) => p.Vlans.Where(v => v.TagProtocol == tpid);
    private static ushort Class(NetmapPacket p, ushort c) => p.Dns!.Multicast ? (ushort)(c & 0x7fff) : c;

    private static readonly Field[] Fields =
    [
        new("eth", "eth.dst", p => p.Ethernet is { } e ? Mac(e.Destination) : null),
        new("eth", "eth.src", p => p.Ethernet is { } e ? Mac(e.Source) : null),
        new("eth", "eth.type", p => p.Ethernet is { Type: > 1500 } e ? e.Type.ToString() : null),
        new("eth", "eth.len", p => p.Ethernet is { Type: <= 1500 } e ? e.Type.ToString() : null),
        // tshark's vlan dissector reads 802.1Q tags (0x8100), its ieee8021ad dissector the 802.1ad service tags (0x88a8)
        new("vlan", "vlan.priority", p => Join(Tags(p, 0x8100).Select(v => v.Priority))),
        new("vlan", "vlan.dei", p => Join(Tags(p, 0x8100).Select(v => B(v.DropEligible)))),
        new("vlan", "vlan.id", p => Join(Tags(p, 0x8100).Select(v => v.VlanIdentifier))),
        new("vlan", "vlan.etype", p => Join(Tags(p, 0x8100).Where(v => v.Type > 1500).Select(v => v.Type))),
        new("vlan", "vlan.len", p => Join(Tags(p, 0x8100).Where(v => v.Type <= 1500).Select(v => v.Type))),
        new("vlan", "ieee8021ad.priority", p => Join(Tags(p, 0x88a8).Select(v => v.Priority))),
        new("vlan", "ieee8021ad.dei", p => Join(Tags(p, 0x88a8).Select(v => B(v.DropEligible)))),
        new("vlan", "ieee8021ad.id", p => Join(Tags(p, 0x88a8).Select(v => v.VlanIdentifier))),
        new("arp", "arp.hw.type", p => p.Arp?.HardwareType.ToString()),
        new("arp", "arp.proto.type", p => p.Arp?.ProtocolType.ToString()),
        new("arp", "arp.hw.size", p => p.Arp?.HardwareSize.ToString()),
        new("arp", "arp.proto.size", p => p.Arp?.ProtocolSize.ToString()),
        new("arp", "arp.opcode", p => p.Arp?.Operation.ToString()),
        new("arp", "arp.src.hw_mac", p => p.Arp is { } a ? Mac(a.SenderHardwareAddress) : null),
        new("arp", "arp.src.proto_ipv4", p => p.Arp?.SenderProtocolAddress?.ToString()),
        new("arp", "arp.dst.hw_mac", p => p.Arp is { } a ? Mac(a.TargetHardwareAddress) : null),
        new("arp", "arp.dst.proto_ipv4", p => p.Arp?.TargetProtocolAddress?.ToString()),
        new("ip", "ip.hdr_len", p => p.Ipv4?.HeaderLength.ToString()),
        new("ip", "ip.dsfield", p => p.Ipv4?.DifferentiatedServices.ToString()),
        new("ip", "ip.len", p => p.Ipv4?.TotalLength.ToString()),
        new("ip", "ip.id", p => p.Ipv4?.Identification.ToString()),
        new("ip", "ip.flags.rb", p => p.Ipv4 is { } i ? B((i.Flags & 4) != 0) : null),
        new("ip", "ip.flags.df", p => p.Ipv4 is { } i ? B(i.DontFragment) : null),
        new("ip", "ip.flags.mf", p => p.Ipv4 is { } i ? B(i.MoreFragments) : null),
        new("ip", "ip.frag_offset", p => p.Ipv4?.FragmentOffsetField.ToString()),
        new("ip", "ip.ttl", p => p.Ipv4?.TimeToLive.ToString()),
        new("ip", "ip.proto", p => p.Ipv4?.Protocol.ToString()),
        new("ip", "ip.checksum", p => p.Ipv4?.Checksum.ToString()),
        new("ip", "ip.src", p => p.Ipv4?.SourceAddress.ToString()),
        new("ip", "ip.dst", p => p.Ipv4?.DestinationAddress.ToString()),
        new("ipv6", "ipv6.tclass", p => p.Ipv6?.TrafficClass.ToString()),
        new("ipv6", "ipv6.flow", p => p.Ipv6?.FlowLabel.ToString()),
        new("ipv6", "ipv6.plen", p => p.Ipv6?.PayloadLength.ToString()),
        new("ipv6", "ipv6.nxt", p => p.Ipv6?.NextHeader.ToString()),
        new("ipv6", "ipv6.hlim", p => p.Ipv6?.HopLimit.ToString()),
        new("ipv6", "ipv6.src", p => p.Ipv6?.SourceAddress.ToString()),
        new("ipv6", "ipv6.dst", p => p.Ipv6?.DestinationAddress.ToString()),
        new("ipv6ext", "ipv6.hopopts.nxt", p => Join(Ext(p, 0).Select(h => h.NextHeader))),
        new("ipv6ext", "ipv6.hopopts.len", p => Join(Ext(p, 0).Select(h => h.Length / 8 - 1))),
        new("ipv6ext", "ipv6.dstopts.nxt", p => Join(Ext(p, 60).Select(h => h.NextHeader))),
        new("ipv6ext", "ipv6.dstopts.len", p => Join(Ext(p, 60).Select(h => h.Length / 8 - 1))),
        new("ipv6ext", "ipv6.routing.nxt", p => Join(Ext(p, 43).Select(h => h.NextHeader))),
        new("ipv6ext", "ipv6.routing.len", p => Join(Ext(p, 43).Select(h => h.Length / 8 - 1))),
        new("ipv6ext", "ipv6.routing.type", p => Join(Ext(p, 43).Select(h => h.RoutingType))),
        new("ipv6ext", "ipv6.routing.segleft", p => Join(Ext(p, 43).Select(h => h.SegmentsLeft))),
        new("ipv6ext", "ipv6.fraghdr.nxt", p => Join(Ext(p, 44).Select(h => h.NextHeader))),
        new("ipv6ext", "ipv6.fraghdr.offset", p => Join(Ext(p, 44).Select(h => h.FragmentOffset / 8))),
        new("ipv6ext", "ipv6.fraghdr.more", p => Join(Ext(p, 44).Select(h => B(h.MoreFragments == true)))),
        new("ipv6ext", "ipv6.fraghdr.ident", p => Join(Ext(p, 44).Select(h => h.Identification))),
        new("ipv6ext", "ah.next_header", p => Join(Ext(p, 51).Select(h => h.NextHeader))),
        new("ipv6ext", "ah.length", p => Join(Ext(p, 51).Select(h => h.Length / 4 - 2))),
        new("ipv6ext", "ah.spi", p => Join(Ext(p, 51).Select(h => h.Spi))),
        new("ipv6ext", "ah.sequence", p => Join(Ext(p, 51).Select(h => h.Sequence))),
        new("udp", "udp.srcport", p => p.Udp?.SourcePort.ToString()),
        new("udp", "udp.dstport", p => p.Udp?.DestinationPort.ToString()),
        new("udp", "udp.length", p => p.Udp?.Length.ToString()),
        new("udp", "udp.checksum", p => p.Udp?.Checksum.ToString()),
        new("tcp", "tcp.srcport", p => p.Tcp?.SourcePort.ToString()),
        new("tcp", "tcp.dstport", p => p.Tcp?.DestinationPort.ToString()),
        new("tcp", "tcp.seq_raw", p => p.Tcp?.SequenceNumber.ToString()),
        new("tcp", "tcp.ack_raw", p => p.Tcp?.AcknowledgmentNumber.ToString()),
        new("tcp", "tcp.hdr_len", p => p.Tcp?.HeaderLength.ToString()),
        new("tcp", "tcp.flags", p => p.Tcp?.Flags.ToString()),
        new("tcp", "tcp.flags.fin", p => p.Tcp is { } t ? B(t.Fin) : null),
        new("tcp", "tcp.flags.syn", p => p.Tcp is { } t ? B(t.Syn) : null),
        new("tcp", "tcp.flags.reset", p => p.Tcp is { } t ? B(t.Rst) : null),
        new("tcp", "tcp.flags.push", p => p.Tcp is { } t ? B(t.Psh) : null),
        new("tcp", "tcp.flags.ack", p => p.Tcp is { } t ? B(t.Ack) : null),
        new("tcp", "tcp.flags.urg", p => p.Tcp is { } t ? B(t.Urg) : null),
        new("tcp", "tcp.flags.ece", p => p.Tcp is { } t ? B(t.Ece) : null),
        new("tcp", "tcp.flags.cwr", p => p.Tcp is { } t ? B(t.Cwr) : null),
        new("tcp", "tcp.flags.ae", p => p.Tcp is { } t ? B(t.Ae) : null),
        new("tcp", "tcp.flags.res", p => p.Tcp is { } t ? B(t.Reserved != 0) : null),
        new("tcp", "tcp.window_size_value", p => p.Tcp?.WindowSize.ToString()),
        new("tcp", "tcp.checksum", p => p.Tcp?.Checksum.ToString()),
        new("tcp", "tcp.urgent_pointer", p => p.Tcp?.UrgentPointer.ToString()),
        new("tcp", "tcp.option_kind", p => Join(p.Tcp?.Options.Select(o => o.Kind) ?? [])),
        new("tcp", "tcp.options.mss_val", p => Join(Opt(p, 2, 4).Select(o => o.Data[0] << 8 | o.Data[1]))),
        new("tcp", "tcp.options.wscale.shift", p => Join(Opt(p, 3, 3).Select(o => o.Data[0]))),
        new("tcp", "tcp.options.timestamp.tsval", p => Join(Opt(p, 8, 10).Select(o => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(o.Data)))),
        new("tcp", "tcp.options.timestamp.tsecr", p => Join(Opt(p, 8, 10).Select(o => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(o.Data.AsSpan(4))))),
        new("icmp", "icmp.type", p => p.Icmp is { Version: 4 } i ? i.Type.ToString() : null),
        new("icmp", "icmp.code", p => p.Icmp is { Version: 4 } i ? i.Code.ToString() : null),
        new("icmp", "icmp.checksum", p => p.Icmp is { Version: 4 } i ? i.Checksum.ToString() : null),
        new("icmp", "icmp.ident", p => p.Icmp is { Version: 4 } i ? i.Identifier?.ToString() : null),
        new("icmp", "icmp.seq", p => p.Icmp is { Version: 4 } i ? i.Sequence?.ToString() : null),
        new("icmpv6", "icmpv6.type", p => p.Icmp is { Version: 6 } i ? i.Type.ToString() : null),
        new("icmpv6", "icmpv6.code", p => p.Icmp is { Version: 6 } i ? i.Code.ToString() : null),
        new("icmpv6", "icmpv6.checksum", p => p.Icmp is { Version: 6 } i ? i.Checksum.ToString() : null),
        new("icmpv6", "icmpv6.echo.identifier", p => p.Icmp is { Version: 6 } i ? i.Identifier?.ToString() : null),
        new("icmpv6", "icmpv6.echo.sequence_number", p => p.Icmp is { Version: 6 } i ? i.Sequence?.ToString() : null),
        new("dns", "dns.id", p => p.Dns?.Id.ToString()),
        new("dns", "dns.flags.response", p => p.Dns is { } d ? B(d.IsResponse) : null),
        new("dns", "dns.flags.opcode", p => p.Dns?.Opcode.ToString()),
        new("dns", "dns.flags.rcode", p => p.Dns is { IsResponse: true } d ? d.Rcode.ToString() : null),
        new("dns", "dns.flags.truncated", p => p.Dns is { } d ? B(d.Truncation) : null),
        new("dns", "dns.flags.recdesired", p => p.Dns is { } d ? B(d.RecursionDesired) : null),
        // a dynamic update (opcode 5) names its sections zones, prerequisites and updates
        new("dns", "dns.count.queries", p => p.Dns is { Opcode: not 5 } d ? d.QuestionCount.ToString() : null),
        new("dns", "dns.count.answers", p => p.Dns is { Opcode: not 5 } d ? d.AnswerCount.ToString() : null),
        new("dns", "dns.count.auth_rr", p => p.Dns is { Opcode: not 5 } d ? d.AuthorityCount.ToString() : null),
        new("dns", "dns.count.zones", p => p.Dns is { Opcode: 5 } d ? d.QuestionCount.ToString() : null),
        new("dns", "dns.count.prerequisites", p => p.Dns is { Opcode: 5 } d ? d.AnswerCount.ToString() : null),
        new("dns", "dns.count.updates", p => p.Dns is { Opcode: 5 } d ? d.AuthorityCount.ToString() : null),
        new("dns", "dns.count.add_rr", p => p.Dns?.AdditionalCount.ToString()),
        new("dnsbody", "dns.qry.name", p => Join(p.Dns?.Questions.Select(q => q.Name) ?? [])),
        new("dnsbody", "dns.qry.type", p => Join(p.Dns?.Questions.Select(q => q.Type) ?? [])),
        new("dnsbody", "dns.qry.class", p => Join(p.Dns?.Questions.Select(q => Class(p, q.Class)) ?? [])),
        new("dnsbody", "dns.resp.name", p => Join(Records(p).Select(r => r.Name))),
        new("dnsbody", "dns.resp.type", p => Join(Records(p).Select(r => r.Type))),
        new("dnsbody", "dns.resp.class", p => Join(Records(p).Select(r => Class(p, r.Class)))),
        new("dnsbody", "dns.resp.ttl", p => Join(Records(p).Select(r => r.Ttl))),
        new("dnsbody", "dns.a", p => Join(Records(p).Where(r => r.Type == 1).Select(r => r.Address))),
        new("dnsbody", "dns.aaaa", p => Join(Records(p).Where(r => r.Type == 28).Select(r => r.Address))),
        new("dnsbody", "dns.cname", p => Join(Records(p).Where(r => r.Type == 5).Select(r => r.Target))),
        new("dnsbody", "dns.ptr.domain_name", p => Join(Records(p).Where(r => r.Type == 12).Select(r => r.Target))),
        new("dnsbody", "dns.ns", p => Join(Records(p).Where(r => r.Type == 2).Select(r => r.Target))),
        new("dnsbody", "dns.mx.preference", p => Join(Records(p).Where(r => r.Type == 15).Select(r => r.Preference))),
        new("dnsbody", "dns.mx.mail_exchange", p => Join(Records(p).Where(r => r.Type == 15).Select(r => r.Target))),
        new("dnsbody", "dns.txt", p => Join(Records(p).Where(r => r.Type == 16).SelectMany(r => r.Text ?? []))),
        new("dnsbody", "_ws.col.Info", p => p.Dns is { } d ? DnsDecoder.Info(d) : null),
    ];

    /// <summary>The field whose presence in tshark's output says tshark shows the layer.</summary>
    private static readonly Dictionary<string, string> LayerKey = new()
    {
        ["eth"] = "eth.src", ["vlan"] = "vlan.id", ["arp"] = "arp.opcode", ["ip"] = "ip.src", ["ipv6"] = "ipv6.src", ["udp"] = "udp.srcport",
        ["tcp"] = "tcp.srcport", ["icmp"] = "icmp.type", ["icmpv6"] = "icmpv6.type", ["dns"] = "dns.id",
    };

    private static bool Shows(NetmapPacket p, string layer) => layer switch
    {
        "eth" => p.Ethernet is not null,
        "vlan" => p.Vlans.Count > 0 && p.TruncatedLayer != "Vlan", // tshark shows the part of a cut tag it could read
        "arp" => p.Arp is not null,
        "ip" => p.Ipv4 is not null,
        "ipv6" => p.Ipv6 is not null,
        "ipv6ext" => p.Ipv6 is { Truncated: false },
        "udp" => p.Udp is not null,
        "tcp" => p.Tcp is not null,
        "icmp" => p.Icmp is { Version: 4 },
        "icmpv6" => p.Icmp is { Version: 6 },
        "dns" => p.Dns is not null,
        "dnsbody" => p.Dns is { Malformed: null },
        _ => throw new ArgumentException(layer),
    };

    /// <summary>TruncatedLayer names for each layer tshark may show in part when the capture ended in its header.</summary>
    private static bool CutInside(NetmapPacket p, string layer) => (p.TruncatedLayer, layer) switch
    {
        ("Ethernet", "eth") or ("Vlan", "vlan") or ("Arp", "arp") or ("Ip", "ip" or "ipv6") or ("Udp", "udp") or ("Tcp", "tcp") => true,
        ("Icmp", "icmp" or "icmpv6") => true,
        ("Dns", "dns") => true,
        _ => false,
    };

    [ToolFact("tshark")]
    public void EveryFieldAgreesWithTshark() => Agree(LinkTypes.Ethernet);

    /// <summary>The same frames with the IP header first (LINKTYPE_RAW) and under a Linux cooked header (SLL).</summary>
    [ToolFact("tshark")]
    public void EveryFieldAgreesWithTsharkAfterOtherLinkHeaders()
    {
        Agree(LinkTypes.Raw);
        Agree(LinkTypes.LinuxSll);
    }

    /// <summary>
    /// A generated Ethernet frame under another link header: for raw IP the IP header replaces the
    /// Ethernet header (IP frames only), for SLL a 16-byte cooked header (packet type 0, ARPHRD_ETHER, the
    /// source MAC, the EtherType) does. Null for a frame the link type cannot carry.
    /// </summary>
    private static TestFrame? Under(int linkType, TestFrame f)
    {
        if (linkType == LinkTypes.Ethernet) return f;
        if (f.Data.Length < 14) return null;
        int type = f.Data[12] << 8 | f.Data[13];
        byte[] rest = f.Data[14..];
        return linkType switch
        {
            LinkTypes.Raw when type is 0x0800 or 0x86dd => new TestFrame(rest, f.WireLength - 14, f.Description + ", raw IP"),
            LinkTypes.LinuxSll when type > 1500 => new TestFrame([0, 0, 0, 1, 0, 6, .. f.Data[6..12], 0, 0, f.Data[12], f.Data[13], .. rest], f.WireLength + 2, f.Description + ", Linux cooked"),
            _ => null,
        };
    }

    private void Agree(int linkType)
    {
        using var temp = new TempDirectory();
        int seed = int.TryParse(Environment.GetEnvironmentVariable("NETMAPPS_PACKET_SEED"), out int chosen) ? chosen : 20261201;
        List<TestFrame> frames = PacketFrames.Generate(4000, seed).Select(f => Under(linkType, f)).OfType<TestFrame>().ToList();
        Assert.True(frames.Count > 1000, $"only {frames.Count} frames for link type {linkType}");
        string file = temp.File("frames.pcap");
        using (CaptureWriter writer = CaptureWriter.Create(file))
        {
            int face = writer.AddInterface("test", linkType);
            for (int i = 0; i < frames.Count; i++)
                writer.Write(face, (1_700_000_000L + i) * 1_000_000_000, frames[i].Data, frames[i].WireLength);
        }
        string[] names = ["frame.number", "_ws.malformed", "_ws.short", "_ws.expert.message", .. Fields.Select(f => f.Name).Distinct()];
        var arguments = new List<string>
        {
            "-n", "-r", file, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
            "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-o", "tcp.desegment_tcp_streams:FALSE",
            "-o", "tcp.analyze_sequence_numbers:FALSE", "-o", "tcp.relative_sequence_numbers:FALSE", "-o", "dns.desegment_dns_messages:FALSE",
        };
        foreach (string name in names) arguments.AddRange(["-e", name]);
        if (Environment.GetEnvironmentVariable("NETMAPPS_KEEP_PCAP") is { Length: > 0 } keep) File.Copy(file, keep, overwrite: true); // to look at a disagreement by hand
        var (exit, stdout, stderr) = ExternalTool.Run("tshark", [.. arguments]);
        Assert.True(exit == 0, $"tshark failed ({exit}): {stderr}");
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(frames.Count, lines.Length);

        var disagreements = new List<string>();
        var compared = 0;
        var shown = new Dictionary<string, int>();
        for (int i = 0; i < frames.Count; i++)
        {
            string[] values = lines[i].TrimEnd('\r').Split('\t');
            var tshark = names.Select((n, k) => (n, v: k < values.Length ? values[k] : "")).ToDictionary(x => x.n, x => x.v);
            var packet = new NetmapPacket(frames[i].Data, DateTime.UnixEpoch, "test", 0, 0, frames[i].WireLength) { LinkType = linkType };
            foreach (string layer in Fields.Select(f => f.Layer).Distinct())
            {
                bool ours = Shows(packet, layer);
                if (LayerKey.TryGetValue(layer, out string? key) && !ours && tshark[key].Length > 0 && !CutInside(packet, layer))
                {
                    disagreements.Add($"frame {i + 1} ({frames[i].Description}): tshark shows {layer} ({key}={tshark[key]}), NetmapPacket does not");
                    continue;
                }
                if (!ours) continue;
                shown[layer] = shown.GetValueOrDefault(layer) + 1;
                foreach (Field field in Fields.Where(f => f.Layer == layer))
                {
                    string mine = field.Name == "_ws.col.Info" ? field.Ours(packet) ?? "" : Normalize(field.Ours(packet));
                    string theirs = field.Name == "_ws.col.Info" ? tshark[field.Name] : Normalize(tshark[field.Name]);
                    compared++;
                    if (mine != theirs)
                        disagreements.Add($"frame {i + 1} ({frames[i].Description}): {field.Name} NetmapPacket '{mine}' tshark '{theirs}'");
                }
            }
            bool tsharkSaysLoop = (tshark["dns.qry.name"] + tshark["dns.resp.name"]).Contains("pointer that loops");
            if (packet.Dns is { Malformed: { } why } && tshark["dns.id"].Length > 0 && !(tsharkSaysLoop || tshark["_ws.malformed"].Length + tshark["_ws.short"].Length > 0 || tshark["_ws.expert.message"].Contains("Unreassembled")))
                disagreements.Add($"frame {i + 1} ({frames[i].Description}): NetmapPacket says the DNS message is malformed ({why}), tshark does not");
            _ = packet.Line; // the summary of every frame, malformed or cut, builds without an exception
        }
        output.WriteLine($"link type {linkType}, seed {seed}: {frames.Count} frames, {compared} field values compared, {disagreements.Count} disagreements");
        output.WriteLine("frames per layer: " + string.Join(", ", shown.Select(kv => $"{kv.Key} {kv.Value}")));
        output.WriteLine($"cut inside a header: {frames.Count(f => new NetmapPacket(f.Data, DateTime.UnixEpoch, "t", 0, 0) { LinkType = linkType }.TruncatedLayer is not null)}, malformed DNS: {frames.Count(f => new NetmapPacket(f.Data, DateTime.UnixEpoch, "t", 0, 0) { LinkType = linkType }.Dns?.Malformed is not null)}");
        foreach (string d in disagreements.Take(60)) output.WriteLine(d);
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} disagreements with tshark, first: " + string.Join(Environment.NewLine, disagreements.Take(30)));
    }

    /// <summary>Numbers in decimal (tshark prints some in hex), booleans as 1/0, lists item by item.</summary>
    private static string Normalize(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return string.Join(',', value.Split(',').Select(v =>
            v.StartsWith("0x") && ulong.TryParse(v.AsSpan(2), NumberStyles.HexNumber, null, out ulong n) ? n.ToString()
            : v == "True" ? "1" : v == "False" ? "0" : v));
    }
}
