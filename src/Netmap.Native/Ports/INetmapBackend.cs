using Netmap.Native.PortNames;

namespace Netmap.Native.Ports;

/// <summary>A port name a backend knows of now, with a word on what it is (for tab completion).</summary>
public readonly record struct PortCandidate(string Name, string Description);

/// <summary>
/// One way of serving ports: the netmap kernel module, or one of the user-space drivers. The backends
/// are listed once, in <see cref="NetmapBackends"/>; everything the module does with ports, switches
/// and names goes through this interface, so a new backend is a folder of its own plus one line there.
/// </summary>
public interface INetmapBackend
{
    /// <summary>Native for the kernel module, Emulated for the drivers in user space.</summary>
    PortMode Mode { get; }
    /// <summary>True when it serves the port <paramref name="spec"/> names (the first backend of the mode that does, opens it).</summary>
    bool Serves(PortSpec spec);
    /// <summary>Registers the port and maps its rings.</summary>
    /// <param name="disableOffloads">Turn an interface's offloads off while the port is open.</param>
    /// <param name="cancel">Ends a wait for another process's open or close of the same memory.</param>
    IPortDriver Open(PortSpec spec, bool disableOffloads, CancellationToken cancel);
    /// <summary>Its VALE switches and their ports; none where it has no switches.</summary>
    IReadOnlyList<ValeSwitchInfo> Switches() => Array.Empty<ValeSwitchInfo>();
    /// <summary>Names of ports it could open now (<paramref name="typed"/>: what the user typed so far, to go deeper).</summary>
    IEnumerable<PortCandidate> Candidates(string typed) => Array.Empty<PortCandidate>();
    /// <summary>Rings, slots and memory of a port without opening it; null where this backend cannot tell.</summary>
    KernelPortInfo? Describe(PortSpec spec) => null;
    /// <summary>VALE administration (attaching interfaces, persistent ports); null where this backend has none.</summary>
    IValeAdministration? Vale => null;
}

/// <summary>What vale-ctl does: attach and detach interfaces, create and delete persistent VALE ports.</summary>
public interface IValeAdministration
{
    /// <summary>Attaches <paramref name="interfaceName"/> (and its host stack) to <paramref name="switchName"/>; returns its port index.</summary>
    uint Attach(string switchName, string interfaceName, bool hostStack);
    /// <summary>Detaches <paramref name="interfaceName"/> from <paramref name="switchName"/>; returns the port index it had.</summary>
    uint Detach(string switchName, string interfaceName);
    /// <summary>Creates a persistent VALE port, an interface the host sees (0: netmap's defaults).</summary>
    KernelPortInfo CreatePersistentPort(string name, ushort rings, uint slots, ushort memoryId);
    /// <summary>Deletes a persistent VALE port.</summary>
    void DeletePersistentPort(string name);
}
