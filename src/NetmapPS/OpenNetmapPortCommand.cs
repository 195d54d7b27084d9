using System.Management.Automation;
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
            if (!ShouldProcess(name, "Open netmap port")) continue;
            try
            {
                var port = NetmapPort.Open(name, mode, DisableOffloads, _stop.Token);
                PortSession.Add(port);
                foreach (var warning in port.Warnings) WriteWarning(warning);
                WriteVerbose($"Opened '{port.Name}' ({port.Spec.Description}): {port.Mode}, {port.Mechanism}, region {port.Region}.");
                WriteObject(port);
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
}
