using Netmap.Native.Abi;
using Netmap.Native.Ports;

namespace Netmap.Native.Kernel;

/// <summary>
/// Requests to /dev/netmap that register nothing: port and pool information, the VALE switches and
/// their ports, attaching interfaces and persistent VALE ports. Each call opens and closes the device.
/// </summary>
internal static unsafe class KernelControl
{
    private const int EINVAL = 22, ENOENT = 2, ENOTTY = 25;

    /// <summary>Rings, slots and memory of <paramref name="name"/> (as netmap names it: 'eth0', 'vale0:a', 'p{1'), without registering it.</summary>
    public static KernelPortInfo GetPortInfo(string name, ushort memoryId = 0)
    {
        using var device = KernelDevice.Open(name);
        using var request = KernelRequests.PortInfo(name, memoryId);
        Run(device, request, KernelOperation.PortInfo, name);
        var r = request.Body<NmReqPortInfoGet>();
        return new KernelPortInfo(name, r->MemorySize, r->MemoryId, r->TxRings, r->RxRings, r->HostTxRings, r->HostRxRings, r->TxSlots, r->RxSlots);
    }

    /// <summary>The pools of the allocator of <paramref name="name"/> (NETMAP_REQ_POOLS_INFO_GET).</summary>
    public static IReadOnlyList<MemoryPool> GetPools(string name, ushort memoryId = 0)
    {
        using var device = KernelDevice.Open(name);
        using var request = KernelRequests.PoolsInfo(name, memoryId);
        Run(device, request, KernelOperation.PoolsInfo, name);
        return Pools(request.Body<NmReqPoolsInfo>(), $"NETMAP_REQ_POOLS_INFO_GET of {name}");
    }

    /// <summary>The three pools described by an nmreq_pools_info.</summary>
    internal static IReadOnlyList<MemoryPool> Pools(NmReqPoolsInfo* info, string source) => new[]
    {
        new MemoryPool(info->MemoryId, "Interfaces", info->InterfacePoolTotal, info->InterfacePoolObjectSize, source),
        new MemoryPool(info->MemoryId, "Rings", info->RingPoolTotal, info->RingPoolObjectSize, source),
        new MemoryPool(info->MemoryId, "Buffers", info->BufferPoolTotal, info->BufferPoolObjectSize, source),
    };

    /// <summary>
    /// Whether the module accepts this API version: an info request about the global allocator, which
    /// can only fail on the version check. Returns 0 when accepted, else the errno.
    /// </summary>
    public static int ProbeApi()
    {
        using var device = KernelDevice.Open("API check");
        using var request = KernelRequests.PortInfo("", 1);
        return device.TryControl(request);
    }

    /// <summary>True when an errno from <see cref="ProbeApi"/> means the module speaks another API version.</summary>
    public static bool IsApiMismatch(int errno) => errno is EINVAL or ENOTTY;

    /// <summary>Every port of every kernel VALE switch, walking NETMAP_REQ_VALE_LIST as vale-ctl does.</summary>
    public static IReadOnlyList<KernelValePort> ListValePorts()
    {
        var ports = new List<KernelValePort>();
        using var device = KernelDevice.Open("VALE list");
        using var request = KernelRequests.ValeList();
        var body = request.Body<NmReqValeList>();
        for (int guard = 0; guard < 1 << 20; guard++)
        {
            request.Name = "";
            int errno = device.TryControl(request);
            if (errno == ENOENT) break;
            if (errno != 0) throw KernelErrors.Map(errno, KernelOperation.ValeList, "(all switches)");
            string full = request.Name;
            int colon = full.IndexOf(':');
            ports.Add(new KernelValePort(colon < 0 ? full : full[..colon], colon < 0 ? "" : full[(colon + 1)..], body->BridgeIndex, body->PortIndex));
            body->PortIndex++;
        }
        return ports;
    }

    /// <summary>Attaches interface <paramref name="interfaceName"/> (its host stack too with <paramref name="hostStack"/>) to <paramref name="switchName"/>; returns its port index.</summary>
    public static uint Attach(string switchName, string interfaceName, bool hostStack)
    {
        string name = $"{switchName}:{interfaceName}";
        using var device = KernelDevice.Open(name);
        using var request = KernelRequests.ValeAttach(name, hostStack);
        Run(device, request, KernelOperation.ValeAttach, name);
        return request.Body<NmReqValeAttach>()->PortIndex;
    }

    /// <summary>Detaches interface <paramref name="interfaceName"/> from <paramref name="switchName"/>; returns the port index it had.</summary>
    public static uint Detach(string switchName, string interfaceName)
    {
        string name = $"{switchName}:{interfaceName}";
        using var device = KernelDevice.Open(name);
        using var request = KernelRequests.ValeDetach(name);
        Run(device, request, KernelOperation.ValeDetach, name);
        return request.Body<NmReqValeDetach>()->PortIndex;
    }

    /// <summary>Creates the persistent VALE port <paramref name="name"/> (an interface the host sees); 0 leaves a default. Returns what the kernel made.</summary>
    public static KernelPortInfo CreatePersistentPort(string name, ushort rings = 0, uint slots = 0, ushort memoryId = 0)
    {
        using var device = KernelDevice.Open(name);
        using var request = KernelRequests.ValeNewInterface(name, slots, slots, rings, rings, memoryId);
        Run(device, request, KernelOperation.ValeNewInterface, name);
        var r = request.Body<NmReqValeNewIf>();
        return new KernelPortInfo(name, 0, r->MemoryId, r->TxRings, r->RxRings, 0, 0, r->TxSlots, r->RxSlots);
    }

    /// <summary>Removes the persistent VALE port <paramref name="name"/>.</summary>
    public static void DeletePersistentPort(string name)
    {
        using var device = KernelDevice.Open(name);
        using var request = KernelRequests.ValeDeleteInterface(name);
        Run(device, request, KernelOperation.ValeDeleteInterface, name);
    }

    /// <summary>Runs a request; on EINVAL checks whether the module simply speaks another API version.</summary>
    internal static void Run(KernelDevice device, RequestBlock request, KernelOperation operation, string subject)
    {
        int errno = device.TryControl(request);
        if (errno == 0) return;
        if (IsApiMismatch(errno) && IsApiMismatch(ProbeApiOn(device)))
            throw KernelErrors.ApiMismatch(subject, errno);
        throw KernelErrors.Map(errno, operation, subject);
    }

    private static int ProbeApiOn(KernelDevice device)
    {
        using var probe = KernelRequests.PortInfo("", 1);
        return device.TryControl(probe);
    }
}
