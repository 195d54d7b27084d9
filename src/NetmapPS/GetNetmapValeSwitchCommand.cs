using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>Lists VALE switches and their ports: the kernel's (Native), or this user's user-space switches (Emulated, with their MAC tables).</summary>
[Cmdlet(VerbsCommon.Get, "NetmapValeSwitch")]
[OutputType(typeof(ValeSwitchInfo))]
public sealed class GetNetmapValeSwitchCommand : PSCmdlet
{
    /// <summary>Switch names; wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string[] Name { get; set; } = { "*" };

    /// <summary>Whose switches: the kernel's (Native) or the user-space ones (Emulated). Default: the session's mode.</summary>
    [Parameter]
    public PortMode Mode { get; set; }

    protected override void EndProcessing()
    {
        try
        {
            var mode = MyInvocation.BoundParameters.ContainsKey(nameof(Mode)) ? Mode : NetmapBackends.DefaultMode;
            var switches = NetmapBackends.Switches(mode);
            foreach (var pattern in Name)
            {
                var wildcard = WildcardPattern.Get(pattern, WildcardOptions.None);
                var matches = switches.Where(s => wildcard.IsMatch(s.Name)).ToList();
                if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
                    WriteError(ErrorRecords.From(new NetmapException(NetmapError.NotFound, Words.Format(Strings.NoSuchSwitch, mode, pattern)), pattern));
                WriteObject(matches, enumerateCollection: true);
            }
        }
        catch (Exception e) when (ErrorRecords.IsOurs(e))
        {
            WriteError(ErrorRecords.From(e, null));
        }
    }
}
