using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>Shows the rings of one port, or of every open port: pointers, space and flags as they are now.</summary>
[Cmdlet(VerbsCommon.Get, "NetmapRing")]
[OutputType(typeof(RingInfo))]
public sealed class GetNetmapRingCommand : PSCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [PortTransformation]
    public NetmapPort[]? Port { get; set; }

    /// <summary>Only TX or only RX rings.</summary>
    [Parameter]
    public RingDirection? Direction { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var port in Port ?? PortSession.All)
        {
            try
            {
                foreach (var ring in port.GetRings())
                    if (Direction is null || ring.Direction == Direction) WriteObject(ring);
            }
            catch (NetmapException e)
            {
                WriteError(ErrorRecords.From(e, port));
            }
        }
    }
}
