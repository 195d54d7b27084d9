using System.Management.Automation;
using Netmap.Native.PortNames;

namespace NetmapPS;

/// <summary>Parses a port name without opening anything and shows what it asks for.</summary>
[Cmdlet(VerbsCommon.Get, "NetmapPortName")]
[OutputType(typeof(PortSpec))]
public sealed class GetNetmapPortNameCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string[] Name { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (PortNameParser.TryParse(name, out var spec, out var error)) WriteObject(spec);
            else WriteError(ErrorRecords.From(error!, name));
        }
    }
}
