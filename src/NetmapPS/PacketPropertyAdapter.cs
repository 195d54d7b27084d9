using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Linq.Expressions;
using System.Reflection;
using Netmap.Native.Packets;

namespace NetmapPS;

/// <summary>
/// Lets a packet answer dotted property names itself, so that the simplified Where-Object syntax
/// works: <c>Where Udp.DstPort -eq 53</c> asks the packet for a property literally named
/// "Udp.DstPort", which this adapter resolves layer by layer with compiled getters (the layers are
/// plain classes; PowerShell's own lookup is asked only for what is not a .NET property, e.g. type-data
/// aliases on Parsed's PacketDotNet objects). The ordinary properties are the .NET ones.
/// </summary>
public sealed class PacketPropertyAdapter : PSPropertyAdapter
{
    /// <summary>A property of the packet itself, with a compiled getter (Where runs it for every packet).</summary>
    private sealed record OwnProperty(PropertyInfo Info, Func<object, object?> Get);

    private static readonly Dictionary<string, OwnProperty> Own = typeof(NetmapPacket)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .ToDictionary(p => p.Name, p => new OwnProperty(p, Getter(p)), StringComparer.OrdinalIgnoreCase);

    /// <summary>Dotted names already split (Where runs the same name for every packet); null for names that are not a path.</summary>
    private static readonly ConcurrentDictionary<string, string[]?> Paths = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The compiled getter of a layer's .NET property by name (the layers are plain classes), or null to ask PowerShell (type data).</summary>
    private static readonly ConcurrentDictionary<(Type, string), Func<object, object?>?> LayerProperties = new();

    public override Collection<PSAdaptedProperty> GetProperties(object baseObject) =>
        new(Own.Values.Select(p => new PSAdaptedProperty(p.Info.Name, p)).ToList());

    public override PSAdaptedProperty? GetProperty(object baseObject, string propertyName)
    {
        if (Own.TryGetValue(propertyName, out var own)) return new PSAdaptedProperty(own.Info.Name, own);
        string[]? path = Paths.GetOrAdd(propertyName, static name =>
        {
            if (!name.Contains('.')) return null;
            string[] parts = name.Split('.');
            return parts.All(s => s.Length > 0) && Own.ContainsKey(parts[0]) ? parts : null;
        });
        return path is null ? null : new PSAdaptedProperty(propertyName, path);
    }

    public override object? GetPropertyValue(PSAdaptedProperty adaptedProperty) => adaptedProperty.Tag switch
    {
        OwnProperty own => own.Get(adaptedProperty.BaseObject),
        string[] path => Resolve(adaptedProperty.BaseObject, path),
        _ => null,
    };

    /// <summary>A property of the packet, or a dotted path through its layers (Udp.DstPort); null when there is none.</summary>
    internal static object? ValueOf(NetmapPacket packet, string name)
    {
        string[] path = name.Split('.');
        return Own.ContainsKey(path[0]) ? Resolve(packet, path) : null;
    }

    /// <summary>Follows a path through the layers; null as soon as a layer is absent.</summary>
    private static object? Resolve(object packet, string[] path)
    {
        object? current = Own[path[0]].Get(packet);
        for (int i = 1; i < path.Length; i++)
        {
            if (current is null) return null;
            string segment = path[i];
            var get = LayerProperties.GetOrAdd((current.GetType(), segment), static key => PropertyOf(key.Item1, key.Item2) is { } p ? Getter(p) : null);
            current = get is not null ? get(current) : PSObject.AsPSObject(current).Properties[segment]?.Value;
            if (current is PSObject wrapped) current = wrapped.BaseObject;
        }
        return current;
    }

    private static PropertyInfo? PropertyOf(Type type, string name)
    {
        try
        {
            return type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { } p
                && p.GetIndexParameters().Length == 0 ? p : null;
        }
        catch (AmbiguousMatchException)
        {
            return null; // PowerShell's own lookup decides
        }
    }

    /// <summary>(object o) => (object)((T)o).Property, compiled once per property.</summary>
    private static Func<object, object?> Getter(PropertyInfo property)
    {
        var o = Expression.Parameter(typeof(object));
        var body = Expression.Convert(Expression.Property(Expression.Convert(o, property.DeclaringType!), property), typeof(object));
        return Expression.Lambda<Func<object, object?>>(body, o).Compile();
    }

    public override bool IsGettable(PSAdaptedProperty adaptedProperty) => true;

    public override bool IsSettable(PSAdaptedProperty adaptedProperty) =>
        adaptedProperty.Tag is OwnProperty { Info: { CanWrite: true } p } && p.SetMethod?.IsPublic == true;

    public override void SetPropertyValue(PSAdaptedProperty adaptedProperty, object value)
    {
        if (adaptedProperty.Tag is OwnProperty own && IsSettable(adaptedProperty))
            own.Info.SetValue(adaptedProperty.BaseObject, LanguagePrimitives.ConvertTo(value, own.Info.PropertyType));
        else
            throw new SetValueException(Words.Format(Strings.PacketPropertyReadOnly, adaptedProperty.Name));
    }

    public override string GetPropertyTypeName(PSAdaptedProperty adaptedProperty) =>
        adaptedProperty.Tag is OwnProperty own ? own.Info.PropertyType.FullName! : typeof(object).FullName!;
}
