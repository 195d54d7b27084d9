namespace Netmap.Native.PortNames;

/// <summary>Which rings of a port a registration binds to; the values are netmap's <c>NR_REG_*</c> modes.</summary>
public enum RegisterMode : uint
{
    /// <summary>Legacy "use nr_ringid" mode; never produced by the parser.</summary>
    Default = 0,

    /// <summary>All NIC rings (no ring suffix).</summary>
    AllNic = 1,

    /// <summary>All host (software) rings (<c>^</c>).</summary>
    Host = 2,

    /// <summary>All NIC rings and all host rings (<c>*</c>).</summary>
    NicAndHost = 3,

    /// <summary>One NIC ring pair (<c>-N</c>).</summary>
    OneNic = 4,

    /// <summary>Deprecated master end of a pipe; names use <c>port{id</c> instead.</summary>
    PipeMaster = 5,

    /// <summary>Deprecated slave end of a pipe; names use <c>port}id</c> instead.</summary>
    PipeSlave = 6,

    /// <summary>No rings at all.</summary>
    Null = 7,

    /// <summary>One host ring pair (<c>^N</c>).</summary>
    OneHost = 8,
}

/// <summary>Registration flags; the values are netmap's <c>NR_*</c> bits for <c>nr_flags</c>.</summary>
[Flags]
public enum RegisterFlags : ulong
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>Monitor the transmitted traffic of the port (flag letter <c>t</c>).</summary>
    MonitorTx = 0x100,

    /// <summary>Monitor the received traffic of the port (flag letter <c>r</c>).</summary>
    MonitorRx = 0x200,

    /// <summary>Zero-copy monitor (flag letter <c>z</c>).</summary>
    ZeroCopyMonitor = 0x400,

    /// <summary>Exclusive access to the selected rings (flag letter <c>x</c>).</summary>
    Exclusive = 0x800,

    /// <summary>Bind only the RX rings of the selection (flag letter <c>R</c>).</summary>
    RxRingsOnly = 0x2000,

    /// <summary>Bind only the TX rings of the selection (flag letter <c>T</c>).</summary>
    TxRingsOnly = 0x4000,

    /// <summary>The application handles virtio-net headers; not expressible in a port name.</summary>
    AcceptVnetHeader = 0x8000,

    /// <summary>poll()/select() also syncs RX rings; not expressible in a port name.</summary>
    DoRxPoll = 0x10000,

    /// <summary>poll()/select() does not sync TX rings; not expressible in a port name.</summary>
    NoTxPoll = 0x20000,
}

/// <summary>Which end of a netmap pipe a port name refers to.</summary>
public enum PipeEnd
{
    /// <summary>The name is not a pipe.</summary>
    None,

    /// <summary>The master end, written <c>port{id</c>.</summary>
    Master,

    /// <summary>The slave end, written <c>port}id</c>.</summary>
    Slave,
}
