using Netmap.Native.Interop;
using Netmap.Native.PortNames;
using Netmap.Native.Ports;

namespace Netmap.Native.Emulated;

/// <summary>Ports on real Linux interfaces without the netmap module: AF_XDP for the NIC rings.</summary>
internal static class InterfaceBackend
{
    public static IPortDriver Open(PortSpec spec, NetInterface nic)
    {
        if (spec.IsMonitor || spec.Flags.HasFlag(RegisterFlags.ZeroCopyMonitor))
            throw new NetmapException(NetmapError.NotSupported,
                $"'{spec.Name}': monitor ports (/r, /t, /z) on interfaces are not available yet in emulated mode.");
        if (spec.Mode is RegisterMode.Host or RegisterMode.OneHost or RegisterMode.NicAndHost)
            throw new NetmapException(NetmapError.NotSupported,
                $"'{spec.Name}': host rings ('^', '*') are not available yet in emulated mode; open the NIC rings ('netmap:{nic.Name}' or 'netmap:{nic.Name}-N').");
        if (spec.ExternalMemory is not null || spec.ShareWith is not null)
            throw new NetmapException(NetmapError.NotSupported, $"'{spec.Name}': @extmem and @share need the netmap kernel module.");
        if (spec.Config is not null)
            throw new NetmapException(NetmapError.NotSupported,
                $"'{spec.Name}': @conf cannot change an interface's queues in emulated mode; use 'ethtool -L {nic.Name}' (or numtxqueues/numrxqueues on a veth).");
        uint nicRings = Math.Max(nic.RxQueues, nic.TxQueues);
        RingSpan chosen = new(0, nicRings);
        if (spec.Mode == RegisterMode.OneNic)
        {
            if (spec.RingId >= nicRings)
                throw new NetmapException(NetmapError.InvalidRequest,
                    $"'{spec.Name}': ring {spec.RingId} is out of range; {nic.Name} has {nic.RxQueues} RX and {nic.TxQueues} TX queues, numbered from 0.");
            chosen = new RingSpan(spec.RingId, spec.RingId + 1u);
        }
        RingSpan tx = spec.Flags.HasFlag(RegisterFlags.RxRingsOnly) ? default : Clip(chosen, nic.TxQueues);
        RingSpan rx = spec.Flags.HasFlag(RegisterFlags.TxRingsOnly) ? default : Clip(chosen, nic.RxQueues);
        return new XdpPort(nic, tx, rx, spec.Name);
    }

    private static RingSpan Clip(RingSpan span, uint count) =>
        span.First >= count ? default : new RingSpan(span.First, Math.Min(span.End, count));
}
