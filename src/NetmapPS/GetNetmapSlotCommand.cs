using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Ports;

namespace NetmapPS;

/// <summary>Shows the slots of a ring: buffer index, length, flags, who owns the slot, and the first bytes.</summary>
[Cmdlet(VerbsCommon.Get, "NetmapSlot")]
[OutputType(typeof(SlotInfo))]
public sealed class GetNetmapSlotCommand : PSCmdlet
{
    /// <summary>Rings from Get-NetmapRing.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public RingInfo[] Ring { get; set; } = Array.Empty<RingInfo>();

    /// <summary>Only these slot indices (default: all).</summary>
    [Parameter]
    public uint[]? Index { get; set; }

    /// <summary>Only the slots the user owns ([head, tail)).</summary>
    [Parameter]
    public SwitchParameter UserOwned { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var ring in Ring)
        {
            try
            {
                var port = ring.PortObject ?? PortSession.Find(ring.Port)
                    ?? throw new NetmapException(NetmapError.Closed, Words.Format(Strings.PortClosedAlready, ring.Port));
                foreach (var slot in port.GetSlots(ring.Direction, ring.Kind, ring.Index, Index, UserOwned))
                    WriteObject(slot);
            }
            catch (NetmapException e)
            {
                WriteError(ErrorRecords.From(e, ring));
            }
        }
    }
}
