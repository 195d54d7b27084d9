namespace Netmap.Native;

/// <summary>What kind of failure a <see cref="NetmapException"/> reports; the cmdlets turn it into an ErrorRecord id and category.</summary>
public enum NetmapError
{
    /// <summary>A system call failed.</summary>
    SystemCall,
    /// <summary>The port, switch or interface does not exist.</summary>
    NotFound,
    /// <summary>The rings asked for are held by another open port.</summary>
    Busy,
    /// <summary>The request does not fit the port (ring out of range, unsupported mode or option).</summary>
    InvalidRequest,
    /// <summary>The feature is not there (yet) in this backend.</summary>
    NotSupported,
    /// <summary>Missing privilege.</summary>
    PermissionDenied,
    /// <summary>A shared region or ring holds values that cannot be right.</summary>
    Corrupted,
    /// <summary>The port was closed.</summary>
    Closed,
    /// <summary>Memory ran out (netmap's pools are exhausted).</summary>
    NoMemory,
    /// <summary>The other end of a pipe was open and is gone (closed, or its process ended): nothing more will come.</summary>
    PeerGone,
}

/// <summary>A failure that says what was wrong and, where it can, how to fix it.</summary>
public class NetmapException : Exception
{
    public NetmapException(NetmapError error, string message, Exception? inner = null) : base(message, inner) => Error = error;

    public NetmapError Error { get; }

    /// <summary>The errno of the failed system call, when one failed.</summary>
    public int Errno { get; init; }

    /// <summary>For <see cref="NetmapError.Corrupted"/>: the shared field that held a value out of range.</summary>
    public string? Field { get; init; }

    /// <summary>For <see cref="NetmapError.Corrupted"/>: the value that field held.</summary>
    public long? Value { get; init; }
}
