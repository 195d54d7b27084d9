using System.Management.Automation;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>
/// Attaches an interface (and with -HostStack its host stack) to a VALE switch, as vale-ctl -a / -h: the
/// kernel's (Native), or a user-space one (Emulated), where this process bridges the interface to the
/// switch until Remove-NetmapValePort or its exit. Creates a persistent VALE port, as vale-ctl -n
/// (kernel module only).
/// </summary>
[Cmdlet(VerbsCommon.Add, "NetmapValePort", SupportsShouldProcess = true, DefaultParameterSetName = "Attach", ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ValePortInfo), typeof(KernelPortInfo))]
public sealed class AddNetmapValePortCommand : PSCmdlet
{
    /// <summary>The switch, e.g. vale0.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Attach")]
    public string Switch { get; set; } = "";

    /// <summary>The interface to attach, e.g. eth0 or a persistent VALE port.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = "Attach")]
    public string Interface { get; set; } = "";

    /// <summary>Attach the interface's host stack (host rings) too.</summary>
    [Parameter(ParameterSetName = "Attach")]
    public SwitchParameter HostStack { get; set; }

    /// <summary>Create a persistent VALE port: an interface the host sees, which stays until Remove-NetmapValePort -Persistent.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Persistent")]
    public SwitchParameter Persistent { get; set; }

    /// <summary>Name of the persistent port (an interface name, without 'vale').</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Persistent")]
    public string Name { get; set; } = "";

    /// <summary>Rings per direction of the persistent port (0: netmap's default).</summary>
    [Parameter(ParameterSetName = "Persistent")]
    public ushort Rings { get; set; }

    /// <summary>Slots per ring of the persistent port (0: netmap's default).</summary>
    [Parameter(ParameterSetName = "Persistent")]
    public uint Slots { get; set; }

    /// <summary>Memory region for the persistent port (0: a private one).</summary>
    [Parameter(ParameterSetName = "Persistent")]
    public ushort MemoryId { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            if (Persistent)
            {
                var vale = BackendSupport.Vale(Strings.NeedsKernel_CreatePersistentPort);
                if (!ShouldProcess(Name, Strings.ValeCreateAction)) return;
                WriteObject(vale.CreatePersistentPort(Name, Rings, Slots, MemoryId));
            }
            else
            {
                BackendSupport.RequireSwitchName(Switch);
                var vale = BackendSupport.Vale(Strings.NeedsKernel_AttachInterface);
                if (!ShouldProcess(Words.Format(Strings.ValeInterfaceTarget, Switch, Interface), HostStack ? Strings.ValeAttachHostAction : Strings.ValeAttachAction)) return;
                uint index = vale.Attach(Switch, Interface, HostStack);
                var mode = NetmapBackends.DefaultMode;
                var listed = mode == PortMode.Emulated
                    ? NetmapBackends.Switches(mode).Where(s => s.Name == Switch).SelectMany(s => s.Ports).FirstOrDefault(p => p.Index == index)
                    : null;
                WriteObject(listed ?? new ValePortInfo(Switch, Interface, index, mode) { AttachedInterface = Interface });
            }
        }
        catch (Exception e) when (ErrorRecords.IsOurs(e))
        {
            WriteError(ErrorRecords.From(e, Persistent ? Name : $"{Switch}:{Interface}"));
        }
    }
}
