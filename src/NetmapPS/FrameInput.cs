using System.Management.Automation;
using Netmap.Native.Packets;

namespace NetmapPS;

/// <summary>What the cmdlets take as a frame: a byte[], a packet (its Data), an object[] of byte values, or any object with a Data property holding one.</summary>
internal static class FrameInput
{
    /// <summary>The frame's bytes, or null when <paramref name="input"/> is none of those.</summary>
    public static byte[]? Of(object input)
    {
        object value = input is PSObject ps ? ps.BaseObject : input;
        return value switch
        {
            byte[] bytes => bytes,
            NetmapPacket packet => packet.Data,
            // Arrays joined with + in PowerShell become object[]: take them when every element is a byte value.
            object[] items => LanguagePrimitives.TryConvertTo(items, out byte[] converted) ? converted : null,
            _ => PSObject.AsPSObject(value).Properties["Data"]?.Value is var data
                 && (data is PSObject d ? d.BaseObject : data) is byte[] b ? b : null,
        };
    }
}
