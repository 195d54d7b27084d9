using System.Management.Automation;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>Shows what this machine offers for netmap: the kernel module, the API version, the backend in use, and the memory pools.</summary>
[Cmdlet(VerbsCommon.Get, "NetmapSystem")]
[OutputType(typeof(NetmapSystemInfo))]
public sealed class GetNetmapSystemCommand : PSCmdlet
{
    protected override void EndProcessing() => WriteObject(NetmapSystemInfo.Collect(PortSession.All));
}
