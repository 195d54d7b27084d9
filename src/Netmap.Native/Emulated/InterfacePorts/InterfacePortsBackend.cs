using Netmap.Native.Interop;
using Netmap.Native.PortNames;
using Netmap.Native.Ports;

namespace Netmap.Native.Emulated;

/// <summary>
/// Ports on real Linux interfaces without the netmap module: AF_XDP for the NIC rings, a TAP for the
/// host rings, AF_PACKET for monitors (and for capture where AF_XDP is missing).
/// </summary>
internal sealed class InterfacePortsBackend : INetmapBackend
{
    public PortMode Mode => PortMode.Emulated;
    /// <summary>Every name that is not a pipe or a VALE port names an interface.</summary>
    public bool Serves(PortSpec spec) => !spec.IsVale && spec.Pipe == PipeEnd.None;
    public IEnumerable<PortCandidate> Candidates(string typed) => InterfaceCandidates.For(typed);

    public IPortDriver Open(PortSpec spec, bool disableOffloads, CancellationToken cancel)
    {
        var nic = NetInterface.Find(spec.PortName) ?? throw new NetmapException(NetmapError.NotFound,
            $"'{spec.Name}': there is no interface '{spec.PortName}' here ('ip link' lists them). For a software port, name a pipe ('netmap:{spec.PortName}{{1') or a VALE port ('vale0:{spec.PortName}').");
        if (spec.ExternalMemory is not null || spec.ShareWith is not null)
            throw new NetmapException(NetmapError.NotSupported, $"'{spec.Name}': @extmem and @share need the netmap kernel module.");
        if (spec.Config is not null)
            throw new NetmapException(NetmapError.NotSupported,
                $"'{spec.Name}': @conf cannot change an interface's queues in emulated mode; use 'ethtool -L {nic.Name}' (or numtxqueues/numrxqueues on a veth).");
        var (tx, rx) = Rings(spec, nic);
        if (spec.IsMonitor || spec.Flags.HasFlag(RegisterFlags.ZeroCopyMonitor))
        {
            if (rx.End > nic.RxQueues)
                throw new NetmapException(NetmapError.NotSupported, $"'{spec.Name}': in emulated mode a monitor watches NIC rings, not host rings; leave '^' and '*' out.");
            bool zero = spec.Flags.HasFlag(RegisterFlags.ZeroCopyMonitor) && !spec.IsMonitor;
            return new PacketMonitorPort(nic, rx, zero || spec.Flags.HasFlag(RegisterFlags.MonitorRx), zero || spec.Flags.HasFlag(RegisterFlags.MonitorTx), spec.Name, "");
        }
        if (spec.Flags.HasFlag(RegisterFlags.RxRingsOnly)) tx = default;
        if (spec.Flags.HasFlag(RegisterFlags.TxRingsOnly)) rx = default;
        try
        {
            return new XdpPort(nic, tx, rx, spec.Name, disableOffloads);
        }
        catch (NetmapException e) when (e.Error == NetmapError.NotSupported && rx.Count > 0 && rx.End <= nic.RxQueues)
        {
            // No AF_XDP here (an old kernel, or none built in): capture copies instead, and say so.
            return new PacketMonitorPort(nic, rx, incoming: true, outgoing: false, spec.Name,
                $"; AF_XDP is not available ({e.Message}), so frames are copied, not taken from the host stack, and nothing is transmitted");
        }
    }

    /// <summary>
    /// The TX and RX rings a register mode takes, as NETMAP_TXRING / NETMAP_RXRING index them: the NIC
    /// rings first, then the one host ring (index = number of NIC rings).
    /// </summary>
    private static (RingSpan Tx, RingSpan Rx) Rings(PortSpec spec, NetInterface nic)
    {
        uint nicRings = Math.Max(nic.RxQueues, nic.TxQueues);
        RingSpan hostTx = new(nic.TxQueues, nic.TxQueues + 1), hostRx = new(nic.RxQueues, nic.RxQueues + 1);
        switch (spec.Mode)
        {
            case RegisterMode.OneNic:
                if (spec.RingId >= nicRings)
                    throw new NetmapException(NetmapError.InvalidRequest,
                        $"'{spec.Name}': ring {spec.RingId} is out of range; {nic.Name} has {nic.RxQueues} RX and {nic.TxQueues} TX queue{(nicRings == 1 ? "" : "s")}, numbered from 0. " +
                        $"Open 'netmap:{nic.Name}' for all of them, or give it more first: 'ethtool -L {nic.Name} rx {spec.RingId + 1} tx {spec.RingId + 1}' where the driver allows it (a veth allows up to one per CPU); see about_NetmapPS_Lab.");
                var one = new RingSpan(spec.RingId, spec.RingId + 1u);
                return (Clip(one, nic.TxQueues), Clip(one, nic.RxQueues));
            case RegisterMode.Host:
                return (hostTx, hostRx);
            case RegisterMode.OneHost:
                if (spec.RingId != 0)
                    throw new NetmapException(NetmapError.InvalidRequest,
                        $"'{spec.Name}': host ring {spec.RingId} is out of range; in emulated mode {nic.Name} has one host ring pair, '^0' (or '^').");
                return (hostTx, hostRx);
            case RegisterMode.NicAndHost:
                return (new RingSpan(0, nic.TxQueues + 1), new RingSpan(0, nic.RxQueues + 1));
            default:
                return (new RingSpan(0, nic.TxQueues), new RingSpan(0, nic.RxQueues));
        }
    }

    private static RingSpan Clip(RingSpan span, uint count) =>
        span.First >= count ? default : new RingSpan(span.First, Math.Min(span.End, count));
}
