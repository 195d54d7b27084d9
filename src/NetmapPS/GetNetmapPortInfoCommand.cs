using System.Management.Automation;
using Netmap.Native.Kernel;
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
                NativeModeGuard.Require("Port information without opening the port", "Open the port and use Get-NetmapPort instead.");
                WriteObject(KernelControl.GetPortInfo(PortNameParser.Parse(name).RequestName) with { Name = name });
            }
            catch (Exception e) when (ErrorRecords.IsOurs(e))
            {
                WriteError(ErrorRecords.From(e, name));
            }
        }
    }
}
