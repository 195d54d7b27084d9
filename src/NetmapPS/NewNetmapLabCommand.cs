using System.Management.Automation;
using Netmap.Native.Lab;

namespace NetmapPS;

/// <summary>Builds a lab of hosts (network namespaces) joined by veth links; returns the lab.</summary>
[Cmdlet(VerbsCommon.New, "NetmapLab", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(NetmapLab))]
public sealed class NewNetmapLabCommand : PSCmdlet
{
    /// <summary>Links as 'hostA:ifA=hostB:ifB'; default: 'a:&lt;Interface&gt;=b:&lt;Interface&gt;'.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[]? Link { get; set; }

    /// <summary>The interface name on both hosts of the default link.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "eth0";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Subnet { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateRange(1, 64)]
    public int Queues { get; set; } = 1;

    /// <summary>Leave the neighbours to ARP instead of permanent entries.</summary>
    [Parameter]
    public SwitchParameter Arp { get; set; }

    [Parameter]
    public SwitchParameter DisableOffloads { get; set; }

    [Parameter]
    public SwitchParameter IPv6 { get; set; }

    /// <summary>A short word put in the lab's name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    protected override void EndProcessing()
    {
        var options = new LabOptions
        {
            Links = Link ?? new[] { $"a:{Interface}=b:{Interface}" }, Subnets = Subnet, Queues = Queues,
            StaticNeighbors = !Arp, DisableOffloads = DisableOffloads, IPv6 = IPv6, Label = Name,
        };
        if (!ShouldProcess(string.Join(", ", options.Links), Strings.LabCreateAction)) return;
        try
        {
            foreach (var stale in LabBuilder.RemoveStale()) WriteVerbose(Words.Format(Strings.LabStaleRemovedGone, stale));
            LabCommand.RemoveLeftovers();
            var lab = LabBuilder.Create(options);
            WriteVerbose(Words.Format(Strings.LabCreated, lab.Name, string.Join(", ", lab.Hosts.Select(h => h.Namespace))));
            WriteObject(lab);
        }
        catch (LabException e) when (e.InvalidRequest)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorId.InvalidLabRequest, options.Links));
        }
        catch (LabException e)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorId.LabSetupFailed, options.Links));
        }
        catch (UnauthorizedAccessException e)
        {
            ThrowTerminatingError(ErrorRecords.Create(new LabException(Words.Format(Strings.LabNeedsRoot, LabBuilder.LockDirectory, e.Message), inner: e), ErrorId.LabPermissionDenied, null));
        }
    }
}
