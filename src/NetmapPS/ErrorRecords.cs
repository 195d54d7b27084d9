using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.PortNames;

namespace NetmapPS;

/// <summary>Every ErrorRecord id the module writes (about_NetmapPS lists them; each cmdlet's help lists its own).</summary>
internal static class ErrorId
{
    public const string InvalidPortName = nameof(InvalidPortName);
    public const string PortNotFound = nameof(PortNotFound);
    public const string PortBusy = nameof(PortBusy);
    public const string InvalidPortRequest = nameof(InvalidPortRequest);
    public const string NotSupported = nameof(NotSupported);
    public const string PermissionDenied = nameof(PermissionDenied);
    public const string RingCorrupted = nameof(RingCorrupted);
    public const string PortClosed = nameof(PortClosed);
    public const string NetmapMemoryExhausted = nameof(NetmapMemoryExhausted);
    public const string PipePeerGone = nameof(PipePeerGone);
    public const string SystemCallFailed = nameof(SystemCallFailed);
    public const string NetmapFailure = nameof(NetmapFailure);
    public const string PortNotOpen = nameof(PortNotOpen);
    public const string NoPortOpen = nameof(NoPortOpen);
    public const string NotAFrame = nameof(NotAFrame);
    public const string TransmitTimeout = nameof(TransmitTimeout);
    public const string InvalidPacketParameter = nameof(InvalidPacketParameter);
    public const string InvalidReplay = nameof(InvalidReplay);
    public const string CaptureFileNotFound = nameof(CaptureFileNotFound);
    public const string CaptureFileNotReadable = nameof(CaptureFileNotReadable);
    public const string CaptureFileCorrupt = nameof(CaptureFileCorrupt);
    public const string CaptureFileNotWritable = nameof(CaptureFileNotWritable);
    public const string PacketNotWritable = nameof(PacketNotWritable);
    public const string InvalidRotation = nameof(InvalidRotation);
    public const string ForwardFailed = nameof(ForwardFailed);
    public const string InvalidLinkParameter = nameof(InvalidLinkParameter);
    public const string InvalidLabRequest = nameof(InvalidLabRequest);
    public const string LabSetupFailed = nameof(LabSetupFailed);
    public const string LabPermissionDenied = nameof(LabPermissionDenied);
    public const string LabRemoveFailed = nameof(LabRemoveFailed);
    public const string LabRemoved = nameof(LabRemoved);
    public const string LabHostNotFound = nameof(LabHostNotFound);
    public const string InvalidLabCommand = nameof(InvalidLabCommand);
    public const string LabCommandTimeout = nameof(LabCommandTimeout);
    public const string LabCommandError = nameof(LabCommandError);
    public const string NativeCommandFailed = nameof(NativeCommandFailed);
}

/// <summary>
/// Makes every ErrorRecord of the module: the one map from id to category, and from the engine's
/// errors to ids.
/// </summary>
internal static class ErrorRecords
{
    private static readonly Dictionary<string, ErrorCategory> Categories = new()
    {
        [ErrorId.InvalidPortName] = ErrorCategory.InvalidArgument,
        [ErrorId.PortNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorId.PortBusy] = ErrorCategory.ResourceBusy,
        [ErrorId.InvalidPortRequest] = ErrorCategory.InvalidArgument,
        [ErrorId.NotSupported] = ErrorCategory.NotImplemented,
        [ErrorId.PermissionDenied] = ErrorCategory.PermissionDenied,
        [ErrorId.RingCorrupted] = ErrorCategory.InvalidData,
        [ErrorId.PortClosed] = ErrorCategory.ResourceUnavailable,
        [ErrorId.NetmapMemoryExhausted] = ErrorCategory.LimitsExceeded,
        [ErrorId.PipePeerGone] = ErrorCategory.ConnectionError,
        [ErrorId.SystemCallFailed] = ErrorCategory.OperationStopped,
        [ErrorId.NetmapFailure] = ErrorCategory.NotSpecified,
        [ErrorId.PortNotOpen] = ErrorCategory.ObjectNotFound,
        [ErrorId.NoPortOpen] = ErrorCategory.ObjectNotFound,
        [ErrorId.NotAFrame] = ErrorCategory.InvalidType,
        [ErrorId.TransmitTimeout] = ErrorCategory.OperationTimeout,
        [ErrorId.InvalidPacketParameter] = ErrorCategory.InvalidArgument,
        [ErrorId.InvalidReplay] = ErrorCategory.InvalidArgument,
        [ErrorId.CaptureFileNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorId.CaptureFileNotReadable] = ErrorCategory.ReadError,
        [ErrorId.CaptureFileCorrupt] = ErrorCategory.InvalidData,
        [ErrorId.CaptureFileNotWritable] = ErrorCategory.WriteError,
        [ErrorId.PacketNotWritable] = ErrorCategory.InvalidData,
        [ErrorId.InvalidRotation] = ErrorCategory.InvalidArgument,
        [ErrorId.ForwardFailed] = ErrorCategory.OperationStopped,
        [ErrorId.InvalidLinkParameter] = ErrorCategory.InvalidArgument,
        [ErrorId.InvalidLabRequest] = ErrorCategory.InvalidArgument,
        [ErrorId.LabSetupFailed] = ErrorCategory.OperationStopped,
        [ErrorId.LabPermissionDenied] = ErrorCategory.PermissionDenied,
        [ErrorId.LabRemoveFailed] = ErrorCategory.OperationStopped,
        [ErrorId.LabRemoved] = ErrorCategory.InvalidOperation,
        [ErrorId.LabHostNotFound] = ErrorCategory.ObjectNotFound,
        [ErrorId.InvalidLabCommand] = ErrorCategory.InvalidArgument,
        [ErrorId.LabCommandTimeout] = ErrorCategory.OperationTimeout,
        [ErrorId.LabCommandError] = ErrorCategory.NotSpecified,
        [ErrorId.NativeCommandFailed] = ErrorCategory.NotSpecified,
    };

    /// <summary>
    /// An ErrorRecord with <paramref name="id"/> (an <see cref="ErrorId"/>) and the category the map gives it.
    /// Where the engine reports a remedy, the module's wording of it (Strings.resx) follows the engine's
    /// message in ErrorDetails (what PowerShell shows) and is the RecommendedAction; the exception keeps
    /// the engine's facts.
    /// </summary>
    public static ErrorRecord Create(Exception e, string id, object? target)
    {
        var record = new ErrorRecord(e, id, Categories.TryGetValue(id, out var category) ? category
            : throw new ArgumentException($"'{id}' is not in the ErrorRecord id map; add it to ErrorId and ErrorRecords."), target);
        if (e is NetmapException n && Words.Of(n.Remedy, n.Subject) is { } fix)
            record.ErrorDetails = new ErrorDetails(Words.Format(Strings.MessageAndFix, n.Message, fix)) { RecommendedAction = fix };
        return record;
    }

    /// <summary>The ErrorRecord for an exception of the engine: its id from the kind of failure.</summary>
    public static ErrorRecord From(Exception e, object? target) => e switch
    {
        PortNameException p => Create(p, ErrorId.InvalidPortName, target),
        NetmapException n => Create(n, Id(n.Error), target),
        _ => Create(e, ErrorId.NetmapFailure, target),
    };

    public static bool IsOurs(Exception e) => e is PortNameException or NetmapException;

    private static string Id(NetmapError error) => error switch
    {
        NetmapError.NotFound => ErrorId.PortNotFound,
        NetmapError.Busy => ErrorId.PortBusy,
        NetmapError.InvalidRequest => ErrorId.InvalidPortRequest,
        NetmapError.NotSupported => ErrorId.NotSupported,
        NetmapError.PermissionDenied => ErrorId.PermissionDenied,
        NetmapError.Corrupted => ErrorId.RingCorrupted,
        NetmapError.Closed => ErrorId.PortClosed,
        NetmapError.NoMemory => ErrorId.NetmapMemoryExhausted,
        NetmapError.PeerGone => ErrorId.PipePeerGone,
        _ => ErrorId.SystemCallFailed,
    };
}
