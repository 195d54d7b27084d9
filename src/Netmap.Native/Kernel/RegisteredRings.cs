using Netmap.Native.PortNames;
using Netmap.Native.Ports;

namespace Netmap.Native.Kernel;

/// <summary>The rings a port has, as NETMAP_REQ_REGISTER reports them (NIC and host, per direction).</summary>
public readonly record struct PortRingCounts(uint TxRings, uint RxRings, uint HostTxRings, uint HostRxRings);

/// <summary>
/// Which rings a registration binds, computed as the kernel does when it interprets nr_mode,
/// nr_ringid and nr_flags: NIC rings first, host rings after them, per direction.
/// </summary>
public static class RegisteredRings
{
    /// <summary>
    /// The TX and RX spans bound by <paramref name="mode"/> / <paramref name="ringId"/> /
    /// <paramref name="flags"/> on a port with <paramref name="counts"/> rings. A one-ring mode whose ring
    /// exists in one direction only takes ring 0 in the other, as the kernel does.
    /// </summary>
    public static (RingSpan Tx, RingSpan Rx) Compute(RegisterMode mode, ushort ringId, RegisterFlags flags, PortRingCounts counts)
    {
        // /T (TX rings only) drops the RX rings and /R the TX rings; both together bind nothing.
        RingSpan tx = flags.HasFlag(RegisterFlags.RxRingsOnly) ? default : For(mode, ringId, counts.TxRings, counts.HostTxRings);
        RingSpan rx = flags.HasFlag(RegisterFlags.TxRingsOnly) ? default : For(mode, ringId, counts.RxRings, counts.HostRxRings);
        return (tx, rx);
    }

    private static RingSpan For(RegisterMode mode, ushort ringId, uint nic, uint host) => mode switch
    {
        RegisterMode.AllNic or RegisterMode.Null => new RingSpan(0, nic),
        RegisterMode.Host => new RingSpan(nic, nic + host),
        RegisterMode.NicAndHost => new RingSpan(0, nic + host),
        RegisterMode.OneNic => ringId < nic ? new RingSpan(ringId, ringId + 1u) : new RingSpan(0, 1),
        RegisterMode.OneHost => ringId < host ? new RingSpan(nic + ringId, nic + ringId + 1u) : new RingSpan(nic, nic + 1),
        _ => default,
    };
}
