using Netmap.Native.PortNames;
using Netmap.Native.Ports;

namespace Netmap.Native.Emulated;

/// <summary>Pipes and VALE switches in user space, one region file each in shared memory (<see cref="SharedMemoryBackend"/>).</summary>
internal sealed class SoftwarePortsBackend : INetmapBackend
{
    public PortMode Mode => PortMode.Emulated;
    public bool Serves(PortSpec spec) => SharedMemoryBackend.Serves(spec);
    public IPortDriver Open(PortSpec spec, bool disableOffloads, CancellationToken cancel) => SharedMemoryBackend.Open(spec, cancel);
    public IReadOnlyList<ValeSwitchInfo> Switches() => EmulatedValeReader.ReadAll();
    /// <summary>vale-ctl's attach and detach, with the bridge in this process (<see cref="ValeAttachment"/>).</summary>
    public IValeAdministration? Vale => EmulatedValeAdministration.Instance;

    /// <summary>The pipe ends and VALE ports in use in this user's region files.</summary>
    public IEnumerable<PortCandidate> Candidates(string typed)
    {
        foreach (var region in RegionDirectory.List())
        {
            if (region.Kind == "vale")
            {
                yield return new($"{region.Name}:", $"a port of the VALE switch '{region.Name}' ({region.Ports.Count} in use)");
                foreach (string port in region.Ports) yield return new($"{region.Name}:{port}", $"port {port} of the VALE switch '{region.Name}' (in use)");
            }
            else if (region.Kind == "pipe")
                foreach (string end in region.Ports)
                    yield return new($"netmap:{end}", $"{(end.Contains('{') ? "master" : "slave")} end of a pipe of {region.Name} (in use)");
        }
    }
}
