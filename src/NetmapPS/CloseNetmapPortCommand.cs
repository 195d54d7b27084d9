using System.Management.Automation;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>Closes ports: given as objects, by name, or all of them.</summary>
[Cmdlet(VerbsCommon.Close, "NetmapPort", SupportsShouldProcess = true, DefaultParameterSetName = "Name", ConfirmImpact = ConfirmImpact.Low)]
public sealed class CloseNetmapPortCommand : PSCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Port")]
    [PortTransformation]
    public NetmapPort[] Port { get; set; } = Array.Empty<NetmapPort>();

    /// <summary>Names of open ports; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Name")]
    [SupportsWildcards]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = "All")]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord()
    {
        IEnumerable<NetmapPort> ports = ParameterSetName switch
        {
            "Port" => Port,
            "All" => PortSession.All,
            _ => Name.SelectMany(ByName),
        };
        foreach (var port in ports.ToList())
            if (ShouldProcess(port.Name, Strings.ClosePortAction))
            {
                PortSession.Close(port);
                WriteVerbose(Words.Format(Strings.ClosedPort, port.Name));
            }
    }

    private IEnumerable<NetmapPort> ByName(string pattern)
    {
        var matches = PortSession.Match(pattern).ToList();
        if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
            WriteError(ErrorRecords.Create(new ItemNotFoundException(Words.Format(Strings.PortNotOpen_ListThem, pattern)),
                ErrorId.PortNotOpen, pattern));
        return matches;
    }
}
