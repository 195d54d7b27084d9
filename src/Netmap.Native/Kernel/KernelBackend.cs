using Netmap.Native.PortNames;
using Netmap.Native.Ports;

namespace Netmap.Native.Kernel;

/// <summary>The netmap kernel module through /dev/netmap: every port name it knows, its switches, and vale-ctl's requests.</summary>
internal sealed class KernelBackend : INetmapBackend, IValeAdministration
{
    public PortMode Mode => PortMode.Native;
    public bool Serves(PortSpec spec) => true;
    public IPortDriver Open(PortSpec spec, bool disableOffloads, CancellationToken cancel) => KernelPort.Open(spec, disableOffloads);
    public KernelPortInfo? Describe(PortSpec spec) => KernelControl.GetPortInfo(spec.RequestName);
    public IValeAdministration? Vale => this;

    public IReadOnlyList<ValeSwitchInfo> Switches() =>
        KernelControl.ListValePorts()
            .GroupBy(p => p.Switch, StringComparer.Ordinal)
            .Select(g => new ValeSwitchInfo(g.Key, PortMode.Native,
                g.Select(p => new ValePortInfo(p.Switch, p.Port, p.PortIndex, PortMode.Native)).ToList())
            { Region = $"{NetmapBackends.KernelDevice} (switch {g.First().BridgeIndex})" })
            .ToList();

    /// <summary>The interfaces, and the ports of the kernel's VALE switches where the device answers.</summary>
    public IEnumerable<PortCandidate> Candidates(string typed)
    {
        foreach (var candidate in InterfaceCandidates.For(typed)) yield return candidate;
        IReadOnlyList<KernelValePort> vale;
        try { vale = NetmapBackends.KernelModulePresent ? KernelControl.ListValePorts() : Array.Empty<KernelValePort>(); }
        catch (NetmapException) { yield break; } // no access to the device: nothing more to offer
        foreach (var port in vale)
            yield return new($"{port.Switch}:{port.Port}", $"port {port.PortIndex} of the kernel VALE switch '{port.Switch}'");
    }

    public uint Attach(string switchName, string interfaceName, bool hostStack) => KernelControl.Attach(switchName, interfaceName, hostStack);
    public uint Detach(string switchName, string interfaceName) => KernelControl.Detach(switchName, interfaceName);
    public KernelPortInfo CreatePersistentPort(string name, ushort rings, uint slots, ushort memoryId) =>
        KernelControl.CreatePersistentPort(name, rings, slots, memoryId);
    public void DeletePersistentPort(string name) => KernelControl.DeletePersistentPort(name);
}
