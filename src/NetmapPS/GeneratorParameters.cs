using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Netmap.Native;
using Netmap.Native.Packets;

namespace NetmapPS;

/// <summary>
/// Reads the generator's parameters (New-NetmapPacket, Send-NetmapPacket): each a single value, as
/// before, or a range, a list or (addresses) a prefix, in pkt-gen's forms: 10.0.0.1-10.0.0.9,
/// 10.0.0.1-10.0.0.9:1234-1240, 1234-1240, 60-1500. A single value goes into the template; what
/// takes several values goes into the <see cref="FrameVariation"/>.
/// </summary>
internal sealed class GeneratorParameters
{
    public IPAddress? SourceAddress, DestinationAddress;
    public ushort? SourcePort, DestinationPort;
    public string? SourceMac, DestinationMac;
    public int? Length;
    public FrameVariation? Variation;

    /// <param name="overwrite">For frames that exist already (Send-NetmapPacket): every field given goes into the variation, one value or several.</param>
    public static GeneratorParameters Read(string[]? sourceAddress, string[]? destinationAddress, string[]? sourcePort, string[]? destinationPort,
        string[]? sourceMac, string[]? destinationMac, string[]? length, bool random, bool overwrite = false)
    {
        Func<ValueSet?, ValueSet?> keep = overwrite ? s => s : Varying;
        var r = new GeneratorParameters();
        var (srcAddr, srcAddrSet, srcPortsInAddr) = Address(sourceAddress, Strings.GeneratorSourceAddress, sourcePort is not null, nameof(SendNetmapPacketCommand.SourcePort));
        var (dstAddr, dstAddrSet, dstPortsInAddr) = Address(destinationAddress, Strings.GeneratorDestinationAddress, destinationPort is not null, nameof(SendNetmapPacketCommand.DestinationPort));
        r.SourceAddress = srcAddr;
        r.DestinationAddress = dstAddr;
        var srcPorts = srcPortsInAddr ?? Numbers(sourcePort, Strings.GeneratorSourcePort, 0, 65535);
        var dstPorts = dstPortsInAddr ?? Numbers(destinationPort, Strings.GeneratorDestinationPort, 0, 65535);
        r.SourcePort = (ushort?)srcPorts?.At(0);
        r.DestinationPort = (ushort?)dstPorts?.At(0);
        var srcMacs = Macs(sourceMac, Strings.GeneratorSourceMac, out r.SourceMac);
        var dstMacs = Macs(destinationMac, Strings.GeneratorDestinationMac, out r.DestinationMac);
        var lengths = Numbers(length, Strings.GeneratorLength, 60, 65535);
        r.Length = (int?)lengths?.Min;
        if (overwrite)
        {
            srcAddrSet ??= Ipv4Only(srcAddr);
            dstAddrSet ??= Ipv4Only(dstAddr);
            srcMacs ??= r.SourceMac is null ? null : ValueSet.Single(MacValue(r.SourceMac));
            dstMacs ??= r.DestinationMac is null ? null : ValueSet.Single(MacValue(r.DestinationMac));
        }
        var variation = new FrameVariation
        {
            SourceAddress = keep(srcAddrSet), DestinationAddress = keep(dstAddrSet), SourcePort = keep(srcPorts), DestinationPort = keep(dstPorts),
            SourceMac = keep(srcMacs), DestinationMac = keep(dstMacs), Length = keep(lengths), Random = random,
        };
        r.Variation = variation.Varies || overwrite && variation.SetsAnything ? variation : null;
        return r;
    }

    private static ValueSet? Ipv4Only(IPAddress? address) => address is null ? null
        : address.AddressFamily == AddressFamily.InterNetwork ? ValueSet.Single(address.GetAddressBytes().Aggregate(0UL, (v, b) => v << 8 | b))
        : throw new NetmapException(NetmapError.InvalidRequest, Words.Format(Strings.GeneratorAddressFamily, address));

    /// <summary>A MAC address in any form PhysicalAddress reads (02:00:00:00:00:01, 02-00-00-00-00-01, 020000000001).</summary>
    public static PhysicalAddress Mac(string text) =>
        PhysicalAddress.TryParse(text.Replace(':', '-').ToUpperInvariant(), out var mac) && mac.GetAddressBytes().Length == 6
            ? mac : throw new FormatException(Words.Format(Strings.NotAMacAddress, text));

    private static ulong MacValue(string text) => Mac(text).GetAddressBytes().Aggregate(0UL, (v, b) => v << 8 | b);

    private static ValueSet? Varying(ValueSet? set) => set is { Count: > 1 } ? set : null;

    private static ValueSet? Numbers(string[]? items, string what, ulong min, ulong max) => items is null ? null : ValueSet.Numbers(items, what, min, max);

    /// <summary>One address (IPv4 or IPv6) for the template, the IPv4 set when there are several, and ports given pkt-gen's way (addr:port-port).</summary>
    private static (IPAddress? First, ValueSet? Set, ValueSet? Ports) Address(string[]? items, string what, bool portsGivenApart, string portParameter)
    {
        if (items is null) return (null, null, null);
        if (items.Length == 1 && IPAddress.TryParse(items[0], out var single) && !items[0].Contains('/') && !items[0].Contains(',')
            && (single.AddressFamily == AddressFamily.InterNetworkV6 || items[0].Count(c => c == '.') == 3))
            return (single, null, null);
        ValueSet? ports = null;
        var addresses = items;
        if (items.Length == 1 && items[0].Count(c => c == ':') == 1) // pkt-gen's addr[-addr]:port[-port]
        {
            var parts = items[0].Split(':');
            if (portsGivenApart) throw new NetmapException(NetmapError.InvalidRequest, Words.Format(Strings.GeneratorPortsTwice, what, items[0], portParameter));
            addresses = [parts[0]];
            ports = ValueSet.Numbers([parts[1]], what, 0, 65535);
        }
        if (addresses.Any(a => a.Contains(':'))) throw new NetmapException(NetmapError.InvalidRequest, Words.Format(Strings.GeneratorAddressFamily, string.Join(",", addresses)));
        var set = ValueSet.Ipv4(addresses, what);
        return (IPAddress.Parse(ValueSet.Ipv4Text(set.At(0))), set, ports);
    }

    /// <summary>One MAC for the template (in any form PhysicalAddress reads, as before), or a set when there are several.</summary>
    private static ValueSet? Macs(string[]? items, string what, out string? first)
    {
        first = null;
        if (items is null) return null;
        if (items.Length == 1 && !items[0].Contains(',') && (items[0].Count(c => c == '-') != 1))
        {
            first = items[0];
            return null;
        }
        var set = ValueSet.Mac(items, what);
        first = ValueSet.MacText(set.At(0));
        return set;
    }
}
