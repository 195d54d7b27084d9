using Netmap.Native.PortNames;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace Netmap.Native.Emulated;

/// <summary>
/// An interface attached to a user-space VALE switch, as vale-ctl -a (-h) does in the kernel: the
/// switch gets a port named after the interface ('eth0', and 'eth0^' for its host stack), and a
/// <see cref="ForwardSession"/> per pair bridges the interface's rings and that switch port both ways.
/// With no kernel to keep it, the bridge lives in this process: it ends when detached, or with the
/// process (then its AF_XDP sockets, XDP link and TAP go with its descriptors, and the next open of the
/// switch frees the port).
/// </summary>
internal sealed class ValeAttachment : IDisposable
{
    /// <summary>How often the bridge looks whether another process asked for it to be detached.</summary>
    private const int DetachPollMs = 100;

    private readonly List<NetmapPort> _ports = new();
    private readonly List<Thread> _threads = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Timer _watch;
    private readonly List<NetmapPort> _switchPorts = new();
    private int _disposed;

    public string Switch { get; }
    public string Interface { get; }
    public bool HostStack { get; }
    /// <summary>The index of the switch port that bridges the interface's NIC rings.</summary>
    public uint PortIndex { get; private set; }
    /// <summary>Why the bridge stopped by itself (a port failed); null while it runs or after a detach.</summary>
    public Exception? Failure { get; private set; }
    /// <summary>Raised once, when the bridge ends (detached, or failed).</summary>
    public event Action<ValeAttachment>? Ended;

    private ValeAttachment(string switchName, string interfaceName, bool hostStack)
    {
        Switch = switchName;
        Interface = interfaceName;
        HostStack = hostStack;
        _watch = new Timer(_ => WatchForDetachRequest());
    }

    /// <summary>Opens the interface's rings (first: without the rights for them nothing is made) and the switch ports, and starts the bridges.</summary>
    public static ValeAttachment Start(string switchName, string interfaceName, bool hostStack)
    {
        var attachment = new ValeAttachment(switchName, interfaceName, hostStack);
        try
        {
            var nic = attachment.Open(PortNameParser.Parse($"netmap:{interfaceName}"));
            var host = hostStack ? attachment.Open(PortNameParser.Parse($"netmap:{interfaceName}^")) : null;
            var nicPort = attachment.OpenSwitchPort(interfaceName, kind: 1);
            attachment.PortIndex = ((SharedMemoryPort)nicPort.Driver).PortIndex;
            attachment.Bridge(nic, nicPort);
            if (host is not null) attachment.Bridge(host, attachment.OpenSwitchPort(interfaceName + "^", kind: 2));
            attachment._watch.Change(DetachPollMs, DetachPollMs);
            return attachment;
        }
        catch
        {
            attachment.Dispose();
            throw;
        }
    }

    private NetmapPort Open(PortSpec spec)
    {
        var port = NetmapPort.Open(spec, PortMode.Emulated);
        _ports.Add(port);
        return port;
    }

    /// <summary>The switch port named <paramref name="portName"/>, marked as an attached interface's (1: NIC rings, 2: host stack).</summary>
    private NetmapPort OpenSwitchPort(string portName, int kind)
    {
        string name = $"{Switch}:{portName}";
        var port = Open(new PortSpec { Name = name, Prefix = Switch, IsVale = true, SwitchName = Switch, RequestName = name, PortName = portName });
        ((SharedMemoryPort)port.Driver).MarkAttached(kind);
        _switchPorts.Add(port);
        return port;
    }

    private void Bridge(NetmapPort wire, NetmapPort switchPort)
    {
        var session = new ForwardSession(wire, switchPort, filter: null, bothWays: true, count: 0, duration: -1);
        var thread = new Thread(() => Run(session, wire, switchPort)) { IsBackground = true, Name = $"vale bridge {switchPort.Name}" };
        _threads.Add(thread);
        thread.Start();
    }

    private void Run(ForwardSession session, NetmapPort wire, NetmapPort switchPort)
    {
        try
        {
            using var wireLease = wire.Use();
            using var switchLease = switchPort.Use();
            session.Run(_stop.Token);
        }
        catch (Exception e)
        {
            if (!_stop.IsCancellationRequested) Failure = e;
        }
        if (!_stop.IsCancellationRequested) ThreadPool.QueueUserWorkItem(_ => Dispose()); // a failed bridge takes the whole attachment down
    }

    private void WatchForDetachRequest()
    {
        bool requested = false;
        foreach (var port in _switchPorts)
        {
            try
            {
                using var lease = port.Use(); // keeps its memory mapped while it is read, even if a detach closes it now
                requested |= ((SharedMemoryPort)port.Driver).DetachRequested;
            }
            catch (NetmapException e) when (e.Error == NetmapError.Closed)
            {
                return;
            }
        }
        if (requested) Dispose();
    }

    /// <summary>Stops the bridges and closes every port: the interface goes back to the host stack, the switch ports are freed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _watch.Dispose();
        _stop.Cancel();
        foreach (var thread in _threads)
            if (thread != Thread.CurrentThread) thread.Join(3000);
        foreach (var port in _ports) port.Dispose();
        Ended?.Invoke(this);
    }
}
