using Netmap.Native.Interop;

namespace Netmap.Native.Kernel;

/// <summary>What was asked of /dev/netmap when it failed; the same errno means different things for each.</summary>
public enum KernelOperation
{
    /// <summary>open("/dev/netmap").</summary>
    OpenDevice,
    /// <summary>NETMAP_REQ_REGISTER: opening a port.</summary>
    Register,
    /// <summary>NETMAP_REQ_PORT_INFO_GET.</summary>
    PortInfo,
    /// <summary>NETMAP_REQ_POOLS_INFO_GET.</summary>
    PoolsInfo,
    /// <summary>NETMAP_REQ_VALE_LIST.</summary>
    ValeList,
    /// <summary>NETMAP_REQ_VALE_ATTACH.</summary>
    ValeAttach,
    /// <summary>NETMAP_REQ_VALE_DETACH.</summary>
    ValeDetach,
    /// <summary>NETMAP_REQ_VALE_NEWIF.</summary>
    ValeNewInterface,
    /// <summary>NETMAP_REQ_VALE_DELIF.</summary>
    ValeDeleteInterface,
    /// <summary>mmap of the port's memory region.</summary>
    Map,
    /// <summary>NIOCTXSYNC / NIOCRXSYNC.</summary>
    Sync,
    /// <summary>poll(2) on the port.</summary>
    Poll,
}

/// <summary>Turns an errno from /dev/netmap into a message that says what went wrong and what to do.</summary>
public static class KernelErrors
{
    private const int ENOENT = 2, EIO = 5, ENXIO = 6, ENOMEM = 12, EACCES = 13, EEXIST = 17, ENODEV = 19, EINVAL = 22, ENOTTY = 25, EOPNOTSUPP = 95;

    /// <summary>
    /// The exception for <paramref name="errno"/> returned by <paramref name="operation"/> on
    /// <paramref name="subject"/> (a port, switch or interface name). <paramref name="detail"/> adds what
    /// the caller found out (the pool sizes for ENOMEM, the port's rings for EINVAL).
    /// </summary>
    public static NetmapException Map(int errno, KernelOperation operation, string subject, string? detail = null)
    {
        var (error, message, remedy) = Describe(errno, operation, subject);
        if (detail is not null) message += " " + detail;
        return new NetmapException(error, message) { Errno = errno, Operation = OperationName(operation), Remedy = remedy, Subject = subject };
    }

    /// <summary>The refusal of a request whose API version the module does not speak.</summary>
    public static NetmapException ApiMismatch(string subject, int errno) => new(NetmapError.NotSupported,
        $"'{subject}': the netmap kernel module does not accept API version {Abi.NetmapAbi.ApiVersion}, the version NetmapPS speaks " +
        "(its log says 'API mismatch'; see dmesg). Load a netmap module built from current netmap sources, or open the port in emulated mode.")
        { Errno = errno, Remedy = NetmapRemedy.UseEmulatedMode, Subject = subject };

    private static (NetmapError, string, NetmapRemedy) Describe(int errno, KernelOperation op, string s)
    {
        string reason = $"{LibC.Describe(errno)} (errno {errno})";
        switch (errno)
        {
            case LibC.EPERM or EACCES:
                return op == KernelOperation.OpenDevice
                    ? (NetmapError.PermissionDenied, $"'{s}': cannot open {Ports.NetmapBackends.KernelDevice}: {reason}. netmap needs root (or CAP_NET_ADMIN and access to the device, usually mode 0600): run PowerShell with sudo, or open the port in emulated mode.", NetmapRemedy.UseEmulatedMode)
                    : (NetmapError.PermissionDenied, $"'{s}': the netmap module refused: {reason}. This needs root or CAP_NET_ADMIN: run PowerShell with sudo.", NetmapRemedy.None);
            case LibC.EBUSY:
                return op switch
                {
                    KernelOperation.ValeDeleteInterface => (NetmapError.Busy, $"'{s}' is still in use ({reason}): close the ports open on it and detach it from its switch first.", NetmapRemedy.DetachFromSwitch),
                    KernelOperation.ValeAttach => (NetmapError.Busy, $"'{s}' is in use ({reason}): an interface can be attached to one switch only, and not while a process has it open in netmap mode.", NetmapRemedy.ListValeSwitches),
                    _ => (NetmapError.Busy, $"'{s}' is in use ({reason}): another process holds these rings exclusively (/x), or the kernel owns the port (it is attached to a VALE switch). Close the other user, open other rings with '-N', or detach it from its switch.", NetmapRemedy.DetachFromSwitch),
                };
            case EINVAL:
                return op switch
                {
                    KernelOperation.Register => (NetmapError.InvalidRequest, $"'{s}': the netmap module refused the request ({reason}): the ring or mode does not fit this port. Check the ring number (-N, ^N) against the port's rings, that the port has host rings before asking for '^' or '*', that a pipe asks for all its rings or one (-N), and that a memory id (@N) exists.", NetmapRemedy.ShowPortRings),
                    KernelOperation.ValeList => (NetmapError.InvalidRequest, $"'{s}' is not a VALE name ({reason}): switch names start with 'vale', as in 'vale0'.", NetmapRemedy.None),
                    KernelOperation.ValeDeleteInterface => (NetmapError.InvalidRequest, $"'{s}' is not a persistent VALE port ({reason}): only persistent VALE ports (vale-ctl -n) can be removed this way.", NetmapRemedy.CreatePersistentPort),
                    KernelOperation.ValeAttach or KernelOperation.ValeDetach => (NetmapError.InvalidRequest, $"'{s}': the netmap module refused ({reason}): name a switch and an interface as 'vale0' and 'eth0'; a VALE port of the switch itself cannot be attached or detached.", NetmapRemedy.None),
                    _ => (NetmapError.InvalidRequest, $"'{s}': the netmap module refused the request: {reason}.", NetmapRemedy.None),
                };
            case ENXIO or ENOENT:
                return op switch
                {
                    KernelOperation.ValeList => (NetmapError.NotFound, $"There is no VALE switch or port '{s}' ({reason}).", NetmapRemedy.ListValeSwitches),
                    KernelOperation.ValeDetach => (NetmapError.NotFound, $"'{s}' is not attached to that switch ({reason}).", NetmapRemedy.ListValeSwitches),
                    KernelOperation.ValeDeleteInterface => (NetmapError.NotFound, $"There is no persistent VALE port '{s}' ({reason}).", NetmapRemedy.ListValeSwitches),
                    KernelOperation.OpenDevice => (NetmapError.NotFound, $"'{s}': the netmap kernel module is not loaded ({Ports.NetmapBackends.KernelDevice}: {reason}). Load it (modprobe netmap, or insmod netmap.ko), or open the port in emulated mode.", NetmapRemedy.UseEmulatedMode),
                    KernelOperation.Sync or KernelOperation.Poll => (NetmapError.NotFound, $"'{s}' is no longer registered with the netmap module ({reason}). Close it and open it again.", NetmapRemedy.ReopenPort),
                    _ => (NetmapError.NotFound, $"'{s}': there is no such interface ({reason}). 'ip link' lists the interfaces; pipes are written 'netmap:NAME{{ID' and VALE ports 'valeX:NAME'.", NetmapRemedy.None),
                };
            case ENOMEM:
                return (NetmapError.NoMemory,
                    $"'{s}': netmap's memory pools are exhausted ({reason}). Close other netmap ports, ask for fewer rings or slots (@conf:rings=,slots=), or load netmap with larger pools (the if_num, ring_num and buf_num module parameters).", NetmapRemedy.ListOpenPorts);
            case ENODEV or EOPNOTSUPP:
                return (NetmapError.NotSupported,
                    $"'{s}' cannot do netmap in the kernel ({reason}): its driver has no native netmap support and the module does not emulate it here (module parameter admode). Open it in emulated mode, or load netmap with admode=0 so that it uses its emulated (generic) adapter.", NetmapRemedy.UseEmulatedMode);
            case EEXIST:
                return (NetmapError.InvalidRequest, $"'{s}' exists already ({reason}).", NetmapRemedy.ListValeSwitches);
            case EIO when op == KernelOperation.Register:
                return (NetmapError.NotSupported, $"'{s}' carries virtio-net headers, which NetmapPS does not handle ({reason}). Set the port's header length to 0 (vale-ctl) or open another port.", NetmapRemedy.None);
            case ENOTTY:
                return (NetmapError.NotSupported,
                    $"'{s}': {Ports.NetmapBackends.KernelDevice} does not know the request ({reason}): the netmap module is older than API {Abi.NetmapAbi.ApiVersion}. Load a netmap module built from current sources, or open the port in emulated mode.", NetmapRemedy.UseEmulatedMode);
            default:
                return (NetmapError.SystemCall, $"'{s}': {OperationName(op)} failed: {reason}.", NetmapRemedy.None);
        }
    }

    private static string OperationName(KernelOperation op) => op switch
    {
        KernelOperation.OpenDevice => $"open {Ports.NetmapBackends.KernelDevice}",
        KernelOperation.Register => "NETMAP_REQ_REGISTER",
        KernelOperation.PortInfo => "NETMAP_REQ_PORT_INFO_GET",
        KernelOperation.PoolsInfo => "NETMAP_REQ_POOLS_INFO_GET",
        KernelOperation.ValeList => "NETMAP_REQ_VALE_LIST",
        KernelOperation.ValeAttach => "NETMAP_REQ_VALE_ATTACH",
        KernelOperation.ValeDetach => "NETMAP_REQ_VALE_DETACH",
        KernelOperation.ValeNewInterface => "NETMAP_REQ_VALE_NEWIF",
        KernelOperation.ValeDeleteInterface => "NETMAP_REQ_VALE_DELIF",
        KernelOperation.Map => "mmap of the netmap memory region",
        KernelOperation.Sync => "NIOCTXSYNC/NIOCRXSYNC",
        _ => "poll",
    };
}
