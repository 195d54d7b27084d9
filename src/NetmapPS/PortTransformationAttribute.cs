using System.Management.Automation;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>Lets -Port take the name of a port opened in this session as well as the port object.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class PortTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject ps ? ps.BaseObject : inputData;
        return value switch
        {
            string name => Lookup(name),
            object[] items => items.Select(i => i is PSObject p ? p.BaseObject : i)
                                   .Select(i => i is string s ? Lookup(s) : i).ToArray(),
            _ => inputData,
        };
    }

    private static NetmapPort Lookup(string name) =>
        PortSession.Find(name) ?? throw new ArgumentTransformationMetadataException(Words.Format(Strings.PortNotOpenForParameter, name));
}
