using System.Management.Automation;
using Netmap.Native.Ports;
using Netmap.Native.PortNames;

namespace NetmapPS;

/// <summary>Asks the netmap kernel module about a port without opening it: rings, slots and memory region (NETMAP_REQ_PORT_INFO_GET).</summary>
[Cmdlet(VerbsCommon.Get, "NetmapPortInfo")]
[OutputType(typeof(KernelPortInfo))]
public sealed class GetNetmapPortInfoCommand : PSCmdlet
{
    /// <summary>Port names as netmap writes them: netmap:eth0, vale0:a, netmap:p{1.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            try
            {
                WriteObject(BackendSupport.Describe(PortNameParser.Parse(name)) with { Name = name });
            }
            catch (Exception e) when (ErrorRecords.IsOurs(e))
            {
                WriteError(ErrorRecords.From(e, name));
            }
        }
    }
}
