using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>Shows what this machine offers for netmap: the kernel module, the API version, the backend in use, and the memory pools.</summary>
[Cmdlet(VerbsCommon.Get, "NetmapSystem")]
[OutputType(typeof(NetmapSystemInfo), typeof(MemoryPool))]
public sealed class GetNetmapSystemCommand : PSCmdlet
{
    /// <summary>Write the kernel's memory pools, one object per pool, instead of the summary.</summary>
    [Parameter]
    public SwitchParameter Pools { get; set; }

    protected override void EndProcessing()
    {
        try
        {
            _ = NetmapBackends.DefaultMode;
        }
        catch (NetmapException e)
        {
            WriteError(ErrorRecords.From(e, Environment.GetEnvironmentVariable(NetmapBackends.ModeVariable)));
        }
        var info = NetmapSystemInfo.Collect(PortSession.All);
        if (Pools) WriteObject(info.Pools, enumerateCollection: true);
        else WriteObject(info);
    }
}
