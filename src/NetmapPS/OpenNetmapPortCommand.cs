using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.PortNames;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>Opens a netmap port by its netmap name; the port stays open in the session.</summary>
[Cmdlet(VerbsCommon.Open, "NetmapPort", SupportsShouldProcess = true)]
[OutputType(typeof(NetmapPort))]
public sealed class OpenNetmapPortCommand : PSCmdlet, IDisposable
{
    /// <summary>Port names as netmap writes them: netmap:eth0-1, netmap:p{1, vale0:a.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Native (kernel module) or Emulated (user space). Default: NETMAPPS_MODE (Native, Emulated or Auto), else Native where /dev/netmap exists and Emulated elsewhere.</summary>
    [Parameter]
    public PortMode Mode { get; set; }

    /// <summary>Turn the interface's GRO/TSO/GSO/checksum offloads off while the port is open (restored at close).</summary>
    [Parameter]
    public SwitchParameter DisableOffloads { get; set; }

    private readonly CancellationTokenSource _stop = new();

    /// <summary>Ctrl+C ends a wait for another process's open or close of the same pipe or switch.</summary>
    protected override void StopProcessing() => _stop.Cancel();

    public void Dispose() => _stop.Dispose();

    protected override void ProcessRecord()
    {
        PortMode? mode = MyInvocation.BoundParameters.ContainsKey(nameof(Mode)) ? Mode : null;
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, Strings.OpenPortAction)) continue;
            try
            {
                var port = NetmapPort.Open(name, mode, DisableOffloads, _stop.Token);
                PortSession.Add(port);
                foreach (var warning in port.Warnings) WriteWarning(Words.Of(warning));
                WriteVerbose(Words.Format(Strings.OpenedPort, port.Name, port.Spec.Description, port.Mode, port.Mechanism, port.Region));
                WriteObject(port);
            }
            catch (NetmapException e) when (e.Error == NetmapError.Busy && SameSessionPort(name) is { } holder)
            {
                // Emulated rings are exclusive, so the holder is this session's port, not 'another process'.
                // The kernel module (Native) shares rings unless /x: its own words then come first.
                string kernel = holder.Mode == PortMode.Native ? e.Message + " " : "";
                WriteError(ErrorRecords.From(new NetmapException(NetmapError.Busy, kernel + Words.Format(Strings.PortOpenInSession, name, holder.Name), e), name));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ErrorRecords.IsOurs(e))
            {
                WriteError(ErrorRecords.From(e, name));
            }
        }
    }

    private static NetmapPort? SameSessionPort(string name) => PortSession.SamePort(PortNameParser.Parse(name));
}
