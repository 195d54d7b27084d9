using System.Management.Automation;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>Lists the ports open in this session.</summary>
[Cmdlet(VerbsCommon.Get, "NetmapPort")]
[OutputType(typeof(NetmapPort))]
public sealed class GetNetmapPortCommand : PSCmdlet
{
    /// <summary>Names of open ports; wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string[] Name { get; set; } = { "*" };

    protected override void EndProcessing()
    {
        foreach (var pattern in Name)
        {
            var matches = PortSession.Match(pattern).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
                WriteError(ErrorRecords.Create(new ItemNotFoundException(Words.Format(Strings.PortNotOpen_OpenIt, pattern)),
                    ErrorId.PortNotOpen, pattern));
            WriteObject(matches, enumerateCollection: true);
        }
    }
}
