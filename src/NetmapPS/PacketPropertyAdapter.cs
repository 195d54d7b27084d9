using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Reflection;
using Netmap.Native.Packets;

namespace NetmapPS;

/// <summary>
/// Lets a packet answer dotted property names itself, so that the simplified Where-Object syntax
/// works: <c>Where Udp.DstPort -eq 53</c> asks the packet for a property literally named
/// "Udp.DstPort", which this adapter resolves layer by layer (type-data aliases such as DstPort
/// included). The ordinary properties are the .NET ones.
/// </summary>
public sealed class PacketPropertyAdapter : PSPropertyAdapter
{
    private static readonly Dictionary<string, PropertyInfo> Own = typeof(NetmapPacket)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public override Collection<PSAdaptedProperty> GetProperties(object baseObject) =>
        new(Own.Values.Select(p => new PSAdaptedProperty(p.Name, p)).ToList());

    public override PSAdaptedProperty? GetProperty(object baseObject, string propertyName)
    {
        if (Own.TryGetValue(propertyName, out var own)) return new PSAdaptedProperty(own.Name, own);
        if (propertyName.Contains('.'))
        {
            string[] path = propertyName.Split('.');
            if (path.All(s => s.Length > 0) && Own.ContainsKey(path[0])) return new PSAdaptedProperty(propertyName, path);
        }
        return null;
    }

    public override object? GetPropertyValue(PSAdaptedProperty adaptedProperty) => adaptedProperty.Tag switch
    {
        PropertyInfo own => own.GetValue(adaptedProperty.BaseObject),
        string[] path => Resolve(adaptedProperty.BaseObject, path),
        _ => null,
    };

    /// <summary>Follows a path through the layers; null as soon as a layer is absent.</summary>
    private static object? Resolve(object packet, string[] path)
    {
        object? current = Own[path[0]].GetValue(packet);
        foreach (string segment in path.Skip(1))
        {
            if (current is null) return null;
            current = PSObject.AsPSObject(current).Properties[segment]?.Value;
            if (current is PSObject wrapped) current = wrapped.BaseObject;
        }
        return current;
    }

    public override bool IsGettable(PSAdaptedProperty adaptedProperty) => true;

    public override bool IsSettable(PSAdaptedProperty adaptedProperty) =>
        adaptedProperty.Tag is PropertyInfo { CanWrite: true } p && p.SetMethod?.IsPublic == true;

    public override void SetPropertyValue(PSAdaptedProperty adaptedProperty, object value)
    {
        if (adaptedProperty.Tag is PropertyInfo p && IsSettable(adaptedProperty))
            p.SetValue(adaptedProperty.BaseObject, LanguagePrimitives.ConvertTo(value, p.PropertyType));
        else
            throw new SetValueException($"The property '{adaptedProperty.Name}' of a packet is read-only.");
    }

    public override string GetPropertyTypeName(PSAdaptedProperty adaptedProperty) =>
        adaptedProperty.Tag is PropertyInfo p ? p.PropertyType.FullName! : typeof(object).FullName!;
}
