using System.Linq.Expressions;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Reflection.Emit;
using Netmap.Native.Packets;

namespace NetmapPS;

/// <summary>
/// The dotted names of a packet's layer fields (Udp.DstPort, Ip.Src, Dns.Rcode...), as hidden code
/// properties of <see cref="NetmapPacket"/>, so that the simplified Where-Object syntax works:
/// <c>Where Udp.DstPort -eq 53</c> asks the packet for a property literally named "Udp.DstPort".
/// Why code properties: PowerShell compiles a call to a type-table code property into its binder and
/// finds it with the type's cached names, where a property adapter (the earlier way) made it work out
/// the type names and ask the adapter twice for every packet, about a fifth of the used-by line's time.
/// A code property needs a static method of its own, so one is emitted per name, each calling
/// <see cref="Get"/> with its index. Hidden, so that <c>Format-List *</c> and <c>Select-Object *</c>
/// show the packet's own properties only.
/// </summary>
public static class LayerProperties
{
    private static readonly (string Name, Func<NetmapPacket, object?> Get)[] Fields = DottedFields().ToArray();
    private static readonly Dictionary<string, Func<NetmapPacket, object?>> ByName =
        Fields.ToDictionary(f => f.Name, f => f.Get, StringComparer.OrdinalIgnoreCase);
    private static readonly Lazy<TypeData> Data = new(BuildTypeData);

    /// <summary>The value of field <paramref name="index"/> of the packet in <paramref name="packet"/>; the emitted getters call this.</summary>
    public static object? Get(PSObject packet, int index) =>
        packet.BaseObject is NetmapPacket p ? Fields[index].Get(p) : null;

    /// <summary>The type data that adds the dotted names to NetmapPacket (built once per process).</summary>
    internal static TypeData TypeData => Data.Value;

    /// <summary>A property of the packet (Udp) or a dotted field of one of its layers (Udp.DstPort); null when there is none.</summary>
    internal static object? ValueOf(NetmapPacket packet, string name)
    {
        if (ByName.TryGetValue(name, out var get)) return get(packet);
        return name.Contains('.') ? null : PSObject.AsPSObject(packet).Properties[name]?.Value;
    }

    /// <summary>Every public property of every layer a packet holds singly, by its dotted name. For a layer
    /// declared as a base class (Ip), the properties of each of its classes (Ip.FlowLabel: null on IPv4).</summary>
    private static IEnumerable<(string, Func<NetmapPacket, object?>)> DottedFields()
    {
        const BindingFlags Public = BindingFlags.Public | BindingFlags.Instance;
        foreach (var layer in PacketLayers.All.Where(l => !l.IsList))
        {
            var classes = layer.LayerType.Assembly.GetTypes()
                .Where(t => !t.IsAbstract && layer.LayerType.IsAssignableFrom(t)).Prepend(layer.LayerType).Distinct();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var type in classes)
                foreach (var field in type.GetProperties(Public).Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod!.IsPublic))
                    if (seen.Add(field.Name))
                        yield return ($"{layer.Name}.{field.Name}", Getter(layer.Property, field));
        }
    }

    /// <summary>packet => packet.Layer is T t ? (object)t.Field : null, compiled once per name.</summary>
    private static Func<NetmapPacket, object?> Getter(PropertyInfo layer, PropertyInfo field)
    {
        var packet = Expression.Parameter(typeof(NetmapPacket));
        var value = Expression.Variable(layer.PropertyType);
        var owner = field.DeclaringType!;
        var body = Expression.Block([value],
            Expression.Assign(value, Expression.Property(packet, layer)),
            Expression.Condition(Expression.TypeIs(value, owner),
                Expression.Convert(Expression.Property(Expression.Convert(value, owner), field), typeof(object)),
                Expression.Constant(null)));
        return Expression.Lambda<Func<NetmapPacket, object?>>(body, packet).Compile();
    }

    private static TypeData BuildTypeData()
    {
        var module = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("NetmapPS.LayerPropertyGetters"), AssemblyBuilderAccess.Run)
            .DefineDynamicModule("NetmapPS.LayerPropertyGetters");
        var type = module.DefineType("NetmapPS.LayerPropertyGetters", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Abstract);
        var get = typeof(LayerProperties).GetMethod(nameof(Get))!;
        for (int i = 0; i < Fields.Length; i++)
        {
            // public static object Udp_DstPort(PSObject packet) => LayerProperties.Get(packet, i);
            var method = type.DefineMethod(Fields[i].Name.Replace('.', '_'), MethodAttributes.Public | MethodAttributes.Static, typeof(object), [typeof(PSObject)]);
            var il = method.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Call, get);
            il.Emit(OpCodes.Ret);
        }
        var getters = type.CreateType();
        var data = new TypeData(typeof(NetmapPacket));
        foreach (var (name, _) in Fields)
            data.Members.Add(name, new CodePropertyData(name, getters.GetMethod(name.Replace('.', '_'))) { IsHidden = true });
        return data;
    }
}

/// <summary>Adds the dotted names to the importing runspace's type table.</summary>
public sealed class LayerPropertiesSetup : IModuleAssemblyInitializer
{
    public void OnImport()
    {
        using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand("Microsoft.PowerShell.Utility\\Update-TypeData").AddParameter("TypeData", LayerProperties.TypeData).AddParameter("Force").Invoke();
    }
}
