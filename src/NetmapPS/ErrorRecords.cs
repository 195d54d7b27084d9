using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.PortNames;

namespace NetmapPS;

/// <summary>Turns the engine's exceptions into ErrorRecords with stable ids (listed in about_NetmapPS).</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(Exception e, object? target) => e switch
    {
        PortNameException p => new ErrorRecord(p, "InvalidPortName", ErrorCategory.InvalidArgument, target),
        NetmapException n => new ErrorRecord(n, Id(n.Error), Category(n.Error), target),
        _ => new ErrorRecord(e, "NetmapFailure", ErrorCategory.NotSpecified, target),
    };

    public static bool IsOurs(Exception e) => e is PortNameException or NetmapException;

    private static string Id(NetmapError error) => error switch
    {
        NetmapError.NotFound => "PortNotFound",
        NetmapError.Busy => "PortBusy",
        NetmapError.InvalidRequest => "InvalidPortRequest",
        NetmapError.NotSupported => "NotSupported",
        NetmapError.PermissionDenied => "PermissionDenied",
        NetmapError.Corrupted => "RingCorrupted",
        NetmapError.Closed => "PortClosed",
        NetmapError.NoMemory => "NetmapMemoryExhausted",
        NetmapError.PeerGone => "PipePeerGone",
        _ => "SystemCallFailed",
    };

    private static ErrorCategory Category(NetmapError error) => error switch
    {
        NetmapError.NotFound => ErrorCategory.ObjectNotFound,
        NetmapError.Busy => ErrorCategory.ResourceBusy,
        NetmapError.InvalidRequest => ErrorCategory.InvalidArgument,
        NetmapError.NotSupported => ErrorCategory.NotImplemented,
        NetmapError.PermissionDenied => ErrorCategory.PermissionDenied,
        NetmapError.Corrupted => ErrorCategory.InvalidData,
        NetmapError.Closed => ErrorCategory.ResourceUnavailable,
        NetmapError.NoMemory => ErrorCategory.LimitsExceeded,
        NetmapError.PeerGone => ErrorCategory.ConnectionError,
        _ => ErrorCategory.OperationStopped,
    };
}
