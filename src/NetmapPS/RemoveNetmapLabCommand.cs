using System.Management.Automation;
using Netmap.Native.Lab;

namespace NetmapPS;

/// <summary>Removes labs: given ones, or (-Stale) those whose creating process is gone.</summary>
[Cmdlet(VerbsCommon.Remove, "NetmapLab", SupportsShouldProcess = true, DefaultParameterSetName = "Lab", ConfirmImpact = ConfirmImpact.Low)]
public sealed class RemoveNetmapLabCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "Lab")]
    public NetmapLab[] Lab { get; set; } = Array.Empty<NetmapLab>();

    [Parameter(Mandatory = true, ParameterSetName = "Stale")]
    public SwitchParameter Stale { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            if (Stale)
            {
                if (!ShouldProcess(Strings.LabStaleTarget, Strings.LabStaleAction)) return;
                foreach (var name in LabBuilder.RemoveStale()) WriteVerbose(Words.Format(Strings.LabStaleRemoved, name));
                LabCommand.RemoveLeftovers();
                return;
            }
            foreach (var lab in Lab)
                if (ShouldProcess(lab.Name, Strings.LabRemoveAction))
                {
                    LabBuilder.Remove(lab);
                    WriteVerbose(Words.Format(Strings.LabRemovedVerbose, lab.Name));
                }
        }
        catch (Exception e) when (e is LabException or IOException or UnauthorizedAccessException)
        {
            WriteError(ErrorRecords.Create(e, ErrorId.LabRemoveFailed, Stale ? null : Lab));
        }
    }
}
