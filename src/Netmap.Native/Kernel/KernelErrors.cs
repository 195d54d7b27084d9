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
        var (error, message) = Describe(errno, operation, subject);
        if (detail is not null) message += " " + detail;
        return new NetmapException(error, message) { Errno = errno };
    }

    /// <summary>The refusal of a request whose API version the module does not speak.</summary>
    public static NetmapException ApiMismatch(string subject, int errno) => new(NetmapError.NotSupported,
        $"'{subject}': the netmap kernel module does not accept API version {Abi.NetmapAbi.ApiVersion}, the version NetmapPS speaks " +
        "(its log says 'API mismatch'; see dmesg). Load a netmap module built from current netmap sources, or use -Mode Emulated.") { Errno = errno };

    private static (NetmapError, string) Describe(int errno, KernelOperation op, string s)
    {
        string reason = $"{LibC.Describe(errno)} (errno {errno})";
        switch (errno)
        {
            case LibC.EPERM or EACCES:
                return (NetmapError.PermissionDenied, op == KernelOperation.OpenDevice
                    ? $"'{s}': cannot open {Ports.NetmapBackends.KernelDevice}: {reason}. netmap needs root (or CAP_NET_ADMIN and access to the device, usually mode 0600): run PowerShell with sudo, or use -Mode Emulated."
                    : $"'{s}': the netmap module refused: {reason}. This needs root or CAP_NET_ADMIN: run PowerShell with sudo.");
            case LibC.EBUSY:
                return (NetmapError.Busy, op switch
                {
                    KernelOperation.ValeDeleteInterface => $"'{s}' is still in use ({reason}): close the ports open on it and detach it from its switch (Remove-NetmapValePort -Switch ... -Interface {s}) first.",
                    KernelOperation.ValeAttach => $"'{s}' is in use ({reason}): an interface can be attached to one switch only, and not while a process has it open in netmap mode.",
                    _ => $"'{s}' is in use ({reason}): another process holds these rings exclusively (/x), or the kernel owns the port (it is attached to a VALE switch). Close the other user, open other rings with '-N', or detach it with Remove-NetmapValePort.",
                });
            case EINVAL:
                return (NetmapError.InvalidRequest, op switch
                {
                    KernelOperation.Register => $"'{s}': the netmap module refused the request ({reason}): the ring or mode does not fit this port. Check the ring number (-N, ^N) against the port's rings (Get-NetmapPortInfo), that the port has host rings before asking for '^' or '*', that a pipe asks for all its rings or one (-N), and that a memory id (@N) exists.",
                    KernelOperation.ValeList => $"'{s}' is not a VALE name ({reason}): switch names start with 'vale', as in 'vale0'.",
                    KernelOperation.ValeDeleteInterface => $"'{s}' is not a persistent VALE port ({reason}): only ports made with Add-NetmapValePort -Persistent (vale-ctl -n) can be removed this way.",
                    KernelOperation.ValeAttach or KernelOperation.ValeDetach => $"'{s}': the netmap module refused ({reason}): name a switch and an interface as 'vale0' and 'eth0'; a VALE port of the switch itself cannot be attached or detached.",
                    _ => $"'{s}': the netmap module refused the request: {reason}.",
                });
            case ENXIO or ENOENT:
                return (NetmapError.NotFound, op switch
                {
                    KernelOperation.ValeList => $"There is no VALE switch or port '{s}' ({reason}). Get-NetmapValeSwitch lists them.",
                    KernelOperation.ValeDetach => $"'{s}' is not attached to that switch ({reason}). Get-NetmapValeSwitch lists the attached ports.",
                    KernelOperation.ValeDeleteInterface => $"There is no persistent VALE port '{s}' ({reason}). Get-NetmapValeSwitch lists the ports.",
                    KernelOperation.OpenDevice => $"'{s}': the netmap kernel module is not loaded ({Ports.NetmapBackends.KernelDevice}: {reason}). Load it (modprobe netmap, or insmod netmap.ko), or use -Mode Emulated.",
                    KernelOperation.Sync or KernelOperation.Poll => $"'{s}' is no longer registered with the netmap module ({reason}). Close it and open it again.",
                    _ => $"'{s}': there is no such interface ({reason}). 'ip link' lists the interfaces; pipes are written 'netmap:NAME{{ID' and VALE ports 'valeX:NAME'.",
                });
            case ENOMEM:
                return (NetmapError.NoMemory,
                    $"'{s}': netmap's memory pools are exhausted ({reason}). Close other netmap ports, ask for fewer rings or slots (@conf:rings=,slots=), or load netmap with larger pools (the if_num, ring_num and buf_num module parameters).");
            case ENODEV or EOPNOTSUPP:
                return (NetmapError.NotSupported,
                    $"'{s}' cannot do netmap in the kernel ({reason}): its driver has no native netmap support and the module does not emulate it here (module parameter admode). Open it with -Mode Emulated, or load netmap with admode=0 so that it uses its emulated (generic) adapter.");
            case EEXIST:
                return (NetmapError.InvalidRequest, $"'{s}' exists already ({reason}). Get-NetmapValeSwitch lists the ports.");
            case EIO when op == KernelOperation.Register:
                return (NetmapError.NotSupported, $"'{s}' carries virtio-net headers, which NetmapPS does not handle ({reason}). Set the port's header length to 0 (vale-ctl) or open another port.");
            case ENOTTY:
                return (NetmapError.NotSupported,
                    $"'{s}': {Ports.NetmapBackends.KernelDevice} does not know the request ({reason}): the netmap module is older than API {Abi.NetmapAbi.ApiVersion}. Load a netmap module built from current sources, or use -Mode Emulated.");
            default:
                return (NetmapError.SystemCall, $"'{s}': {OperationName(op)} failed: {reason}.");
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
