namespace Netmap.Native.PortNames;

/// <summary>
/// A parsed netmap port name: which port, which of its rings, the registration flags and the
/// <c>@</c> options, as libnetmap's <c>nmport_parse</c> would fill its request. Obtain one from
/// <see cref="PortNameParser.Parse"/>.
/// </summary>
public sealed class PortSpec
{
    /// <summary>The port name exactly as given to the parser.</summary>
    public string Name { get; init; } = "";

    /// <summary>The text before the first ':': <c>"netmap"</c> or a VALE switch such as <c>"vale0"</c>.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>True when the port belongs to a VALE switch (<c>vale&lt;id&gt;:</c> prefix).</summary>
    public bool IsVale { get; init; }

    /// <summary>The VALE switch name, e.g. <c>"vale0"</c>; null for other ports.</summary>
    public string? SwitchName { get; init; }

    /// <summary>
    /// The name handed to the kernel (<c>nr_name</c>): the port and pipe part, plus the
    /// <c>valeX:</c> prefix for VALE ports, e.g. <c>"eth0"</c>, <c>"p{1"</c>, <c>"vale0:a"</c>.
    /// </summary>
    public string RequestName { get; init; } = "";

    /// <summary>The interface or port, without prefix and pipe suffix, e.g. <c>"eth0"</c>, <c>"p"</c>, <c>"a"</c>.</summary>
    public string PortName { get; init; } = "";

    /// <summary>Which pipe end the name selects, if any.</summary>
    public PipeEnd Pipe { get; init; }

    /// <summary>The pipe identifier after <c>{</c> or <c>}</c>; null when <see cref="Pipe"/> is <see cref="PipeEnd.None"/>.</summary>
    public string? PipeId { get; init; }

    /// <summary>The ring selection (<c>nr_mode</c>).</summary>
    public RegisterMode Mode { get; init; } = RegisterMode.AllNic;

    /// <summary>The ring number for <see cref="RegisterMode.OneNic"/> and <see cref="RegisterMode.OneHost"/>; otherwise 0.</summary>
    public ushort RingId { get; init; }

    /// <summary>The registration flags given after <c>/</c>.</summary>
    public RegisterFlags Flags { get; init; }

    /// <summary>The memory region id given as <c>@N</c>; 0 when not given.</summary>
    public ushort MemoryId { get; init; }

    /// <summary>Ring and slot counts from <c>@conf:</c>; null when the option is absent.</summary>
    public PortConfig? Config { get; init; }

    /// <summary>The port name from <c>@share=</c> whose memory region to share; null when absent. Not resolved.</summary>
    public string? ShareWith { get; init; }

    /// <summary>The external memory region from <c>@extmem</c>; null when absent.</summary>
    public ExternalMemory? ExternalMemory { get; init; }

    /// <summary>True when the name opens a monitor of the port's TX or RX traffic.</summary>
    public bool IsMonitor => (Flags & (RegisterFlags.MonitorTx | RegisterFlags.MonitorRx)) != 0;

    /// <summary>What the name selects, in plain words, e.g. <c>"NIC ring pair 1 of eth0, TX rings only"</c>.</summary>
    public string Description => PortDescription.Describe(this);

    /// <summary>The canonical form of the name; parsing it gives a spec with the same fields.</summary>
    public override string ToString() => PortNameFormatter.Format(this);
}
