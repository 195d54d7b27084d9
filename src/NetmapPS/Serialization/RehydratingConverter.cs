using System.Management.Automation;
using Netmap.Native.Abi;
using Netmap.Native.Packets;
using Netmap.Native.Ports;

namespace NetmapPS.Serialization;

/// <summary>
/// Turns deserialized packets, rings and slots (from Import-Clixml, jobs and remoting) back into the
/// real objects, so that formatting, <c>Where Udp.DstPort -eq 53</c> and Export-NetmapCapture work
/// on them as on local ones. NetmapPS.Serialization.ps1xml names this converter as the
/// TargetTypeForDeserialization of Deserialized.NetmapPacket, RingInfo and SlotInfo, and as the
/// type converter of the three types, so that a copy that was not rebuilt when it arrived (remote
/// sessions deserialize with PowerShell's built-in type data only) is rebuilt when it is bound to a
/// parameter of that type or cast. Ports are not rebuilt: a port is a live handle.
/// </summary>
public sealed class RehydratingConverter : PSTypeConverter
{
    private static readonly Type[] Targets = [typeof(NetmapPacket), typeof(RingInfo), typeof(SlotInfo)];

    /// <summary>True for a deserialized copy of one of the three types, converted to that type.</summary>
    public override bool CanConvertFrom(object sourceValue, Type destinationType) =>
        Targets.Contains(destinationType) && sourceValue is PSObject ps
        && ps.TypeNames.Contains("Deserialized." + destinationType.FullName);

    /// <summary>Builds the object again from the serialized properties.</summary>
    public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
    {
        if (!CanConvertFrom(sourceValue, destinationType))
            throw new PSInvalidCastException(Words.Format(Strings.CannotRehydrate, destinationType.Name));
        var ps = (PSObject)sourceValue;
        T Get<T>(string name) => LanguagePrimitives.ConvertTo<T>(ps.Properties[name]?.Value
            ?? throw new PSInvalidCastException(Words.Format(Strings.SerializedPropertyMissing, destinationType.Name, name)));
        if (destinationType == typeof(NetmapPacket))
            return KeepRemoteNotes(ps, new NetmapPacket(Get<byte[]>("Data"), Get<DateTime>("Timestamp"), Get<string>("Port"), Get<uint>("Ring"),
                Get<uint>("Slot"), Get<int>("OriginalLength"), Get<long>("TimestampNanoseconds"))
                { Number = Get<long>("Number"), LinkType = ps.Properties["LinkType"]?.Value is { } link ? LanguagePrimitives.ConvertTo<int>(link) : NetmapPacket.EthernetLinkType });
        if (destinationType == typeof(RingInfo))
            return new RingInfo(Get<string>("Port"), Get<RingKind>("Kind"), Get<RingDirection>("Direction"), Get<uint>("Index"),
                Get<uint>("Slots"), Get<uint>("Head"), Get<uint>("Cur"), Get<uint>("Tail"), Get<uint>("Space"), Get<uint>("BufferSize"),
                Get<RingFlags>("Flags"), Get<DateTime>("LastSync")) { Held = ps.Properties["Held"]?.Value is true };
        return new SlotInfo(Get<string>("Port"), Get<RingDirection>("Direction"), Get<RingKind>("Kind"), Get<uint>("Ring"), Get<uint>("Index"),
            Get<uint>("BufferIndex"), Get<ushort>("Length"), Get<SlotFlags>("Flags"), Get<string>("Owner"), Get<string>("Bytes"));
    }

    /// <summary>The notes remoting adds to what it returns; a packet rebuilt from a remote copy keeps them.</summary>
    private static readonly string[] RemoteNotes = ["PSComputerName", "RunspaceId", "PSShowComputerName"];

    /// <summary>
    /// Copies PSComputerName and its companions onto the rebuilt packet, so that Export-NetmapCapture
    /// still knows the host when it rebuilds a packet that came back from Invoke-Command.
    /// </summary>
    private static NetmapPacket KeepRemoteNotes(PSObject source, NetmapPacket packet)
    {
        var target = PSObject.AsPSObject(packet);
        foreach (string name in RemoteNotes)
            if (source.Properties[name] is PSNoteProperty note && target.Properties[name] is null)
                target.Properties.Add(new PSNoteProperty(name, note.Value));
        return packet;
    }

    /// <summary>Not used: conversion goes from the deserialized copy, never to it.</summary>
    public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

    /// <summary>Not used.</summary>
    public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
        throw new PSInvalidCastException(Words.Format(Strings.CannotConvertTo, destinationType.Name));
}
