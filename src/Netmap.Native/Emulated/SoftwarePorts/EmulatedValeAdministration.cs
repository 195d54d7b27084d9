using Netmap.Native.Interop;
using Netmap.Native.Ports;
using Netmap.Native.Rings;

namespace Netmap.Native.Emulated;

/// <summary>
/// vale-ctl for the user-space switches: attaching an interface starts a <see cref="ValeAttachment"/>
/// in this process, which keeps it until it is detached or the process ends. A detach of an interface
/// another process attached asks that process (a flag on the switch port, which its bridge watches).
/// Persistent ports are kernel interfaces: there are none in emulated mode.
/// </summary>
internal sealed class EmulatedValeAdministration : IValeAdministration
{
    public static readonly EmulatedValeAdministration Instance = new();

    /// <summary>How long a detach waits for the process that attached the interface to let it go.</summary>
    private const int DetachWaitMs = 5000;

    private readonly Dictionary<string, ValeAttachment> _attached = new(StringComparer.Ordinal);

    private EmulatedValeAdministration() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DetachAll();

    public uint Attach(string switchName, string interfaceName, bool hostStack)
    {
        if (interfaceName.Length == 0 || interfaceName.Contains(':') || interfaceName.EndsWith('^'))
            throw new NetmapException(NetmapError.InvalidRequest,
                $"'{interfaceName}' is not an interface name: name the interface alone, such as 'eth0'; its host stack ('eth0^') is attached with it on request, as vale-ctl -h does.");
        if (NetInterface.Find(interfaceName) is null)
            throw new NetmapException(NetmapError.NotFound,
                $"There is no interface '{interfaceName}' here to attach to '{switchName}' ('ip link' lists them). In emulated mode a VALE port needs no attaching: open '{switchName}:{interfaceName}' instead.");
        lock (_attached)
        {
            if (Attachments(interfaceName).FirstOrDefault() is { } held)
                throw new NetmapException(NetmapError.Busy,
                    $"'{interfaceName}' is already attached to '{held.Switch}' (port {held.Index}, {Holder(held)}); detach it from there first.")
                    { Remedy = NetmapRemedy.DetachFromSwitch };
            var attachment = ValeAttachment.Start(switchName, interfaceName, hostStack);
            attachment.Ended += Forget;
            _attached[attachment.Interface] = attachment;
            return attachment.PortIndex;
        }
    }

    public uint Detach(string switchName, string interfaceName)
    {
        ValeAttachment? mine;
        lock (_attached) _attached.TryGetValue(interfaceName, out mine);
        if (mine is not null && mine.Switch == switchName)
        {
            mine.Dispose();
            return mine.PortIndex;
        }
        var held = Attachments(interfaceName).FirstOrDefault(p => p.Switch == switchName);
        if (held is null)
        {
            var elsewhere = EmulatedValeReader.ReadAll().SelectMany(s => s.Ports).Where(p => p.AttachedInterface is not null && p.InUse == true && p.Switch == switchName).ToList();
            string there = elsewhere.Count == 0 ? "it has no attached interfaces" : $"attached there: {string.Join(", ", elsewhere.Select(p => $"{p.AttachedInterface} ({Holder(p)})"))}";
            string other = Attachments(interfaceName).FirstOrDefault() is { } on ? $" '{interfaceName}' is attached to '{on.Switch}'." : "";
            throw new NetmapException(NetmapError.NotFound,
                $"'{interfaceName}' is not attached to the user-space VALE switch '{switchName}': {there}.{other}")
                { Remedy = NetmapRemedy.ListValeSwitches };
        }
        if (!ValeDetachRequest.Send(held.Switch, interfaceName))
            throw new NetmapException(NetmapError.NotFound, $"'{interfaceName}' was detached from '{switchName}' meanwhile.");
        long deadline = Deadline.AfterMs(DetachWaitMs);
        while (Attachments(interfaceName).Any(p => p.Switch == switchName))
        {
            if (Environment.TickCount64 >= deadline)
                throw new NetmapException(NetmapError.Busy,
                    $"'{interfaceName}' is attached to '{switchName}' by process {held.Pid}, which did not detach it within {DetachWaitMs / 1000} s of being asked (stopped or stuck?). End that process (kill {held.Pid}): its bridge goes with it, and the interface is the host stack's again.");
            Thread.Sleep(20);
        }
        return held.Index;
    }

    /// <summary>The live switch ports (NIC side, not '^') that bridge <paramref name="interfaceName"/>, on any of this user's switches.</summary>
    private static IEnumerable<ValePortInfo> Attachments(string interfaceName) =>
        EmulatedValeReader.ReadAll().SelectMany(s => s.Ports).Where(p => p.AttachedInterface == interfaceName && p.InUse == true);

    private static string Holder(ValePortInfo port) =>
        port.Pid == Environment.ProcessId ? "by this process" : port.Pid is { } pid ? $"by process {pid}" : "by another process";

    private void Forget(ValeAttachment attachment)
    {
        lock (_attached)
            if (_attached.TryGetValue(attachment.Interface, out var current) && ReferenceEquals(current, attachment)) _attached.Remove(attachment.Interface);
    }

    private void DetachAll()
    {
        ValeAttachment[] all;
        lock (_attached) all = _attached.Values.ToArray();
        foreach (var attachment in all) attachment.Dispose();
    }

    public KernelPortInfo CreatePersistentPort(string name, ushort rings, uint slots, ushort memoryId) => throw NoPersistentPorts(name);
    public void DeletePersistentPort(string name) => throw NoPersistentPorts(name);

    private static NetmapException NoPersistentPorts(string name) => new(NetmapError.NotSupported,
        $"A persistent VALE port ('{name}') is an interface the kernel makes, so it needs the netmap kernel module, which this session does not use (emulated mode). " +
        $"In emulated mode a VALE port exists while it is open: open 'vale0:{name}' instead, or load netmap (docs/native.md).");
}
