using Netmap.Native.Filters;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>Filters compiled by libpcap (Debian's libpcap0.8).</summary>
public class FilterCompileTests
{
    [Fact]
    public void CompilesIpToWhatTcpdumpDdShows()
    {
        // tcpdump -dd ip
        var filter = PacketFilter.Compile("ip");
        Assert.Equal(
            [new(0x28, 0, 0, 12), new(0x15, 0, 1, 0x800), new(0x06, 0, 0, 262144), new(0x06, 0, 0, 0)],
            filter.Program);
        Assert.Equal("ip", filter.Expression);
        Assert.Equal("{ 0x28, 0, 0, 0x0000000c }", filter.Program[0].ToString());
    }

    [Fact]
    public void IpBroadcastUsesTheNetmaskGivenAndSaysWhenThereIsNone()
    {
        byte[] To(string address) => Netmap.Native.Packets.PacketBuilder.Build(new Netmap.Native.Packets.PacketRecipe
            { SourceAddress = System.Net.IPAddress.Parse("10.0.0.2"), DestinationAddress = System.Net.IPAddress.Parse(address) });
        var slash24 = PacketFilter.Compile("ip broadcast", netmask: System.Net.IPAddress.Parse("255.255.255.0"));
        Assert.True(slash24.Matches(To("10.0.0.255")));
        Assert.True(slash24.Matches(To("10.0.0.0"))); // libpcap: host part all ones or all zeros
        Assert.True(slash24.Matches(To("255.255.255.255")));
        Assert.False(slash24.Matches(To("10.0.0.1")));
        var slash16 = PacketFilter.Compile("ip broadcast", netmask: System.Net.IPAddress.Parse("255.255.0.0"));
        Assert.False(slash16.Matches(To("10.0.0.255")));
        Assert.True(slash16.Matches(To("10.0.255.255")));

        var e = Assert.Throws<FilterException>(() => PacketFilter.Compile("ip broadcast"));
        Assert.Contains("needs the IPv4 netmask of the port's interface", e.Message);
        Assert.Contains("ip dst host", e.Message);
        // multicast needs no netmask
        Assert.True(PacketFilter.Compile("ip multicast").Matches(To("224.0.0.251")));
        Assert.False(PacketFilter.Compile("ip multicast").Matches(To("10.0.0.1")));
    }

    [Fact]
    public void ABadFilterCarriesLibpcapsMessage()
    {
        var e = Assert.Throws<FilterException>(() => PacketFilter.Compile("udp dst prot 53"));
        // libpcap takes "prot" for a host name; its own words follow the quoted filter.
        Assert.Equal("Invalid filter 'udp dst prot 53': unknown host 'prot'", e.Message);
        Assert.Equal(NetmapError.InvalidRequest, e.Error);
        Assert.Equal("udp dst prot 53", e.Expression);

        e = Assert.Throws<FilterException>(() => PacketFilter.Compile("udp dst port"));
        Assert.Equal("Invalid filter 'udp dst port': can't parse filter expression: syntax error", e.Message);

        e = Assert.Throws<FilterException>(() => PacketFilter.Compile("host 300.1.1.1"));
        Assert.StartsWith("Invalid filter 'host 300.1.1.1': ", e.Message);
        Assert.True(e.Message.Length > "Invalid filter 'host 300.1.1.1': ".Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void NoExpressionMatchesEverything(string? expression)
    {
        var filter = PacketFilter.Compile(expression);
        Assert.True(filter.MatchesEverything);
        Assert.Equal("", filter.Expression);
        Assert.True(filter.Matches(ReadOnlySpan<byte>.Empty));
        Assert.True(filter.Matches(new byte[3000]));
    }

    [Fact]
    public void LinkTypeChangesTheProgram()
    {
        // DLT_RAW (12): IPv4/IPv6 without a link header, so "ip" tests the version nibble.
        var raw = PacketFilter.Compile("ip", linkType: 12);
        Assert.NotEqual(PacketFilter.Compile("ip").Program, raw.Program);
        Assert.True(raw.Matches([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]));
    }

    [Fact]
    public void AMissingLibpcapSaysWhichPackageToInstall()
    {
        var e = Assert.Throws<NetmapException>(() => LibPcap.Load(["libpcap-does-not-exist.so.9"]));
        Assert.Equal(NetmapError.NotSupported, e.Error);
        Assert.Contains("install libpcap0.8 (apt-get install libpcap0.8)", e.Message);
    }
}
