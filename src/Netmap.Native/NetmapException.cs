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

/// <summary>
/// A fix that is an action of the module (a cmdlet to run, a parameter to add). The engine's messages
/// say what to do in netmap terms and never name a cmdlet or a parameter; the module words each remedy
/// once, in its resource file, and adds it to the ErrorRecord or warning.
/// </summary>
public enum NetmapRemedy
{
    /// <summary>No module action to add: the message says all there is to do.</summary>
    None,
    /// <summary>Open the port in emulated mode instead of with the kernel module.</summary>
    UseEmulatedMode,
    /// <summary>List the VALE switches and the ports attached to them.</summary>
    ListValeSwitches,
    /// <summary>See which processes hold the shared regions of pipes and switches.</summary>
    ShowRegionHolders,
    /// <summary>Detach the interface (the subject) from its VALE switch.</summary>
    DetachFromSwitch,
    /// <summary>Make a persistent VALE port.</summary>
    CreatePersistentPort,
    /// <summary>See the rings of the port or interface (the subject).</summary>
    ShowPortRings,
    /// <summary>Open the port (the subject) again.</summary>
    ReopenPort,
    /// <summary>See the ports open in this session.</summary>
    ListOpenPorts,
    /// <summary>Let the port turn the interface's offloads off while it is open.</summary>
    DisableOffloads,
    /// <summary>Make the frames longer.</summary>
    LengthenFrames,
}

/// <summary>A failure that says what was wrong and, where it can, how to fix it.</summary>
public class NetmapException : Exception
{
    public NetmapException(NetmapError error, string message, Exception? inner = null) : base(message, inner) => Error = error;

    public NetmapError Error { get; }

    /// <summary>The errno of the failed system call, when one failed.</summary>
    public int Errno { get; init; }

    /// <summary>The operation that failed, in netmap's terms (NETMAP_REQ_REGISTER, open /dev/netmap), when a system call failed.</summary>
    public string? Operation { get; init; }

    /// <summary>For <see cref="NetmapError.Corrupted"/>: the shared field that held a value out of range.</summary>
    public string? Field { get; init; }

    /// <summary>For <see cref="NetmapError.Corrupted"/>: the value that field held.</summary>
    public long? Value { get; init; }

    /// <summary>The fix, where it is an action of the module (the message says it in netmap terms).</summary>
    public NetmapRemedy Remedy { get; init; }

    /// <summary>The port, switch or interface the failure concerns and the remedy applies to.</summary>
    public string? Subject { get; init; }
}

/// <summary>Something the user should know about an open port, with the module's fix where there is one.</summary>
public sealed record NetmapWarning(string Message, NetmapRemedy Remedy = NetmapRemedy.None, string? Subject = null)
{
    public static implicit operator NetmapWarning(string message) => new(message);

    public override string ToString() => Message;
}
