using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Packets;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace NetmapPS;

/// <summary>
/// Receives frames from the RX rings of one or more ports and writes them to the pipeline as packet
/// objects. Without -Port it listens on every port open in the session.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "NetmapPacket")]
[OutputType(typeof(NetmapPacket))]
public sealed class ReceiveNetmapPacketCommand : PSCmdlet
{
    private const int Batch = 256;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<NetmapPort> _ports = new();
    private long _number;

    [Parameter(Position = 0, ValueFromPipeline = true)]
    [PortTransformation]
    public NetmapPort[]? Port { get; set; }

    /// <summary>Stop after this many packets (default: until stopped).</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long Count { get; set; }

    /// <summary>Stop when no packet arrived for this many seconds (default: wait until stopped).</summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double Timeout { get; set; } = -1;

    protected override void ProcessRecord() => _ports.AddRange(Port ?? Array.Empty<NetmapPort>());

    protected override void EndProcessing()
    {
        if (_ports.Count == 0) _ports.AddRange(PortSession.All.Where(p => p.RxRings.Count > 0));
        if (_ports.Count == 0)
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(
                    "No port to receive from: open one first (Open-NetmapPort netmap:p}1) or give -Port."),
                "NoPortOpen", ErrorCategory.ObjectNotFound, null));
        List<PacketReceiver> receivers;
        try
        {
            receivers = _ports.Select(p => new PacketReceiver(p)).ToList();
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, _ports));
            return;
        }
        try
        {
            Run(receivers);
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, _ports));
        }
        WriteVerbose($"Received {receivers.Sum(r => r.Received)} packets.");
    }

    private void Run(List<PacketReceiver> receivers)
    {
        var batch = new List<NetmapPacket>(Batch);
        long left = Count > 0 ? Count : long.MaxValue;
        long idleDeadline = Deadline();
        int wait = receivers.Count == 1 ? 100 : 10;
        while (left > 0 && !_stop.IsCancellationRequested)
        {
            int got = 0;
            foreach (var receiver in receivers)
            {
                batch.Clear();
                got += receiver.Receive(batch, (int)Math.Min(left, Batch), got == 0 && receiver == receivers[^1] ? wait : 0, _stop.Token);
                int emitted = 0;
                try
                {
                    foreach (var packet in batch)
                    {
                        packet.Number = ++_number;
                        WriteObject(packet); // throws when the pipeline stops (Select-Object -First)
                        emitted++;
                        left--;
                    }
                }
                finally
                {
                    receiver.Release(emitted); // only what reached the pipeline leaves the ring
                }
                if (left == 0) return;
            }
            if (got > 0) idleDeadline = Deadline();
            else if (Environment.TickCount64 >= idleDeadline) return;
        }
    }

    private long Deadline() => Timeout < 0 ? long.MaxValue : Environment.TickCount64 + (long)(Timeout * 1000);

    protected override void StopProcessing() => _stop.Cancel();
}
