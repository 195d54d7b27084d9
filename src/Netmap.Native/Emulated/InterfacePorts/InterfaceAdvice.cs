using System.Net.NetworkInformation;
using System.Net.Sockets;
using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>
/// What follows for an interface when a port takes some of its RX queues, in words for the warnings
/// at open: a single queue, ARP going to the port instead of the stack, and flows spread over queues
/// the port does not hold.
/// </summary>
internal static class InterfaceAdvice
{
    public static IEnumerable<string> ForTakenQueues(NetInterface nic, IReadOnlyList<uint> taken)
    {
        if (taken.Count == 0) yield break;
        string queues = $"RX queue{(taken.Count > 1 ? "s" : "")} {string.Join(", ", taken)}";
        var (mac, addresses) = Addresses(nic.Name);
        string who = addresses.Count > 0 ? string.Join(", ", addresses) : $"{nic.Name}'s addresses";
        yield return $"{nic.Name} is disconnected from the host stack on {queues} while this port is open: frames arriving there go to the port, " +
                     $"not to the stack, ARP requests included. A peer then stops resolving {who} once its neighbour entry expires. To keep it working, " +
                     $"add a static neighbour entry on the peer ('ip neigh replace {(addresses.Count > 0 ? addresses[0] : "ADDRESS")} lladdr {mac} dev PEER-INTERFACE nud permanent'), " +
                     $"or forward the frames you do not consume to the host rings ('netmap:{nic.Name}^'), which hand them to the stack.";
        if (nic.RxQueues == 1)
            yield return $"{nic.Name} has one RX queue, so 'netmap:{nic.Name}-1' and up do not exist on it. 'ethtool -L {nic.Name} rx 2 tx 2' gives it two " +
                         "where the driver allows it (a veth allows up to one per CPU); see about_NetmapPS_Lab.";
        else if (taken.Count < nic.RxQueues)
            yield return $"{nic.Name} spreads incoming flows over its {nic.RxQueues} RX queues (RSS on a NIC; on a veth, the queue the sender transmitted on), " +
                         $"and this port holds only {queues}: flows that land on the others go to the host stack and are not seen here. " +
                         $"Open 'netmap:{nic.Name}' to hold them all, or steer the flow to the queue held (ethtool -N/-X on a NIC; on a veth, " +
                         "pin the sender to a CPU whose XPS map sends on that queue); see about_NetmapPS_Lab.";
    }

    /// <summary>The interface's MAC and IPv4 addresses, as this network namespace sees them.</summary>
    private static (string Mac, List<string> Addresses) Addresses(string name)
    {
        try
        {
            var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name);
            if (nic is null) return ("MAC", new());
            string mac = string.Join(":", nic.GetPhysicalAddress().GetAddressBytes().Select(b => b.ToString("x2")));
            var v4 = nic.GetIPProperties().UnicastAddresses.Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork)
                .Select(a => a.Address.ToString()).ToList();
            return (mac.Length > 0 ? mac : "MAC", v4);
        }
        catch (NetworkInformationException)
        {
            return ("MAC", new());
        }
    }
}
