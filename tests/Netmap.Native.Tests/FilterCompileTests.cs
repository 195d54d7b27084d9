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
