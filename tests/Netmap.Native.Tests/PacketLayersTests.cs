using System.Reflection;
using Netmap.Native.Packets;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>
/// The layer declaration (PacketLayers) is the one list the module's layer type data and views are
/// written from, so a layer left out of it would have no view and be missing from remote copies.
/// Tests/Pester/PacketModel.Tests.ps1 checks what is made from it on real packets.
/// </summary>
public class PacketLayersTests
{
    /// <summary>Layer classes: PacketLayer and its kin (DnsLayer), by the name every one of them has.</summary>
    private static readonly Type[] LayerClasses = typeof(NetmapPacket).Assembly.GetTypes()
        .Where(t => t.IsPublic && t.IsClass && t.Namespace == typeof(NetmapPacket).Namespace
                    && (t.IsSubclassOf(typeof(PacketLayer)) || t.Name.EndsWith("Layer", StringComparison.Ordinal)))
        .ToArray();

    [Fact]
    public void FindsTheLayerClasses()
    {
        // the search itself: every class of Layers.cs and Dns.cs that a packet shows
        foreach (var t in new[] { typeof(EthernetLayer), typeof(Ipv6Layer), typeof(TcpLayer), typeof(DnsLayer) })
            Assert.Contains(t, LayerClasses);
        Assert.True(LayerClasses.Length >= 11, $"found {LayerClasses.Length} layer classes");
    }

    [Fact]
    public void EveryLayerClassIsDeclaredWithAView()
    {
        var missing = LayerClasses
            .Where(t => !t.IsAbstract && t != typeof(PacketLayer))
            .Where(t => PacketLayers.ViewOf(t) is null)
            .Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0,
            $"Layer classes missing from PacketLayers.All (or declared without fields for their view): {string.Join(", ", missing)}. Add a line for each to PacketLayers.All.");
    }

    [Fact]
    public void EveryLayerPropertyOfAPacketIsDeclared()
    {
        var declared = PacketLayers.All.Select(d => d.Name).ToHashSet();
        var missing = typeof(NetmapPacket).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => LayerClasses.Contains(ItemType(p.PropertyType)))
            .Select(p => p.Name).Where(n => !declared.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"NetmapPacket properties that hold layers but are missing from PacketLayers.All: {string.Join(", ", missing)}.");
    }

    [Fact]
    public void DeclarationsNameRealPropertiesAndFields()
    {
        Assert.Equal(PacketLayers.All.Count, PacketLayers.All.Select(d => d.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        foreach (var d in PacketLayers.All)
        {
            Assert.Same(typeof(NetmapPacket).GetProperty(d.Name), d.Property);
            Assert.Equal(ItemType(d.Property.PropertyType), d.LayerType);
            foreach (string field in d.Fields) Assert.NotNull(d.LayerType.GetProperty(field));
            if (d.Fields.Count == 0)
            {
                // shown through another declaration's view: Ip by Ipv4 and Ipv6, Vlans by Vlan
                var shownBy = LayerClasses.Where(t => !t.IsAbstract && d.LayerType.IsAssignableFrom(t)).ToList();
                Assert.NotEmpty(shownBy);
                Assert.All(shownBy, t => Assert.NotNull(PacketLayers.ViewOf(t)));
            }
        }
    }

    [Fact]
    public void ADeclarationOfAMissingFieldSaysWhichAndWhere()
    {
        var ctor = typeof(LayerDeclaration).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Single();
        var e = Assert.Throws<TargetInvocationException>(() => ctor.Invoke([nameof(NetmapPacket.Udp), new[] { "DstPort", "Dport" }]));
        Assert.Contains("The Udp layer declares the field 'Dport', which UdpLayer does not have", e.InnerException!.Message);
    }

    [Fact]
    public void DeclarationsReadTheLayersOfAPacket()
    {
        var frame = PacketBuilder.Build(new PacketRecipe { DestinationPort = 53 });
        var packet = new NetmapPacket(frame, DateTime.UnixEpoch, "t", 0, 0);
        var udp = PacketLayers.All.Single(d => d.Name == "Udp");
        Assert.Same(packet.Udp, udp.Of(packet));
        Assert.Null(PacketLayers.All.Single(d => d.Name == "Tcp").Of(packet));
    }

    private static Type ItemType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? type.GetGenericArguments()[0]
        : Nullable.GetUnderlyingType(type) ?? type;
}
