using System.Management.Automation;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>
/// Detaches an interface from a VALE switch, as vale-ctl -d: the kernel's (Native), or a user-space one
/// (Emulated; the process that attached it stops its bridge). Removes a persistent VALE port, as
/// vale-ctl -r (kernel module only).
/// </summary>
[Cmdlet(VerbsCommon.Remove, "NetmapValePort", SupportsShouldProcess = true, DefaultParameterSetName = "Detach", ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveNetmapValePortCommand : PSCmdlet
{
    /// <summary>The switch, e.g. vale0.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Detach", ValueFromPipelineByPropertyName = true)]
    public string Switch { get; set; } = "";

    /// <summary>The attached interface to detach.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = "Detach")]
    public string Interface { get; set; } = "";

    /// <summary>Remove a persistent VALE port (made with Add-NetmapValePort -Persistent).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Persistent")]
    public SwitchParameter Persistent { get; set; }

    /// <summary>Name of the persistent port.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Persistent")]
    public string Name { get; set; } = "";

    protected override void ProcessRecord()
    {
        try
        {
            if (Persistent)
            {
                var vale = BackendSupport.Vale(Strings.NeedsKernel_RemovePersistentPort);
                if (!ShouldProcess(Name, Strings.ValeRemoveAction)) return;
                vale.DeletePersistentPort(Name);
                WriteVerbose(Words.Format(Strings.ValeRemoved, Name));
            }
            else
            {
                BackendSupport.RequireSwitchName(Switch);
                var vale = BackendSupport.Vale(Strings.NeedsKernel_DetachInterface);
                if (!ShouldProcess(Words.Format(Strings.ValeInterfaceTarget, Switch, Interface), Strings.ValeDetachAction)) return;
                uint index = vale.Detach(Switch, Interface);
                WriteVerbose(Words.Format(Strings.ValeDetached, Interface, Switch, index));
            }
        }
        catch (Exception e) when (ErrorRecords.IsOurs(e))
        {
            WriteError(ErrorRecords.From(e, Persistent ? Name : $"{Switch}:{Interface}"));
        }
    }
}
