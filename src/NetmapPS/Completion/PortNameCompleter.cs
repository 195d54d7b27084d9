using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Netmap.Native.Emulated;

namespace NetmapPS.Completion;

/// <summary>
/// Completes port names to open: <c>netmap:</c> plus each interface of /sys/class/net (and, once an
/// interface is typed in full, its ring pairs <c>-N</c>, host rings <c>^</c> and <c>*</c>), the pipe
/// ends and VALE switches and ports in use in region files in shared memory, and the other end of
/// pipes open here.
/// </summary>
public sealed class PortNameCompleter : IArgumentCompleter
{
    private const string SysClassNet = "/sys/class/net";

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = new CompletionWord(wordToComplete);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tip) in Candidates(word.Text))
            if (word.Matches(name) && seen.Add(name))
                yield return word.Result(name, tip);
    }

    private static IEnumerable<(string Name, string ToolTip)> Candidates(string typed)
    {
        foreach (var (name, rx, tx) in Interfaces())
        {
            string port = $"netmap:{name}";
            yield return (port, $"all NIC rings of {name} ({rx} RX / {tx} TX queues)");
            if (!typed.StartsWith(port, StringComparison.OrdinalIgnoreCase)) continue;
            for (uint q = 0; q < Math.Max(rx, tx); q++) yield return ($"{port}-{q}", $"NIC ring pair {q} of {name}");
            yield return ($"{port}^", $"host rings of {name}: what the host stack sends and receives");
            yield return ($"{port}*", $"NIC and host rings of {name}");
        }
        foreach (var port in PortSession.All)
        {
            var spec = port.Spec;
            if (spec.Pipe == Netmap.Native.PortNames.PipeEnd.None || spec.IsVale) continue;
            char other = spec.Pipe == Netmap.Native.PortNames.PipeEnd.Master ? '}' : '{';
            yield return ($"netmap:{spec.PortName}{other}{spec.PipeId}", $"other end of the open pipe '{port.Name}'");
        }
        foreach (var region in RegionDirectory.List())
        {
            if (region.Kind == "vale")
            {
                yield return ($"{region.Name}:", $"a port of the VALE switch '{region.Name}' ({region.Ports.Count} in use)");
                foreach (string port in region.Ports) yield return ($"{region.Name}:{port}", $"port {port} of the VALE switch '{region.Name}' (in use)");
            }
            else if (region.Kind == "pipe")
                foreach (string end in region.Ports)
                    yield return ($"netmap:{end}", $"{(end.Contains('{') ? "master" : "slave")} end of a pipe of {region.Name} (in use)");
        }
        foreach (var port in PortSession.All)
            yield return (port.Name, $"open in this session: {port.Spec.Description}");
    }

    /// <summary>Interfaces with their RX and TX queue counts (at least 1 each).</summary>
    internal static IEnumerable<(string Name, uint Rx, uint Tx)> Interfaces()
    {
        string[] dirs;
        try { dirs = Directory.GetFileSystemEntries(SysClassNet); }
        catch (IOException) { yield break; }
        catch (UnauthorizedAccessException) { yield break; }
        foreach (string dir in dirs.OrderBy(d => d, StringComparer.Ordinal))
        {
            string queues = Path.Combine(dir, "queues");
            uint Count(string prefix) => Directory.Exists(queues) ? (uint)Math.Max(1, Directory.GetDirectories(queues, prefix + "*").Length) : 1;
            yield return (Path.GetFileName(dir), Count("rx-"), Count("tx-"));
        }
    }
}
