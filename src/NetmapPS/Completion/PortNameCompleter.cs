using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Netmap.Native.Emulated;

namespace NetmapPS.Completion;

/// <summary>
/// Completes port names to open: <c>netmap:</c> plus each interface of /sys/class/net (and, once an
/// interface is typed in full, its ring pairs <c>-N</c>, host rings <c>^</c> and <c>*</c>), pipes and
/// VALE switches that have a region file in shared memory, and the free end of pipes open here.
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
        foreach (var (kind, rest) in Regions())
        {
            if (kind == "vale")
                yield return ($"{rest}:", $"a port of the VALE switch '{rest}' (in use)");
            else if (kind == "pipe" && rest.LastIndexOf('-') is > 0 and var dash)
            {
                string name = rest[..dash], id = rest[(dash + 1)..];
                yield return ($"netmap:{name}{{{id}", $"master end of pipe {id} of {name} (in use)");
                yield return ($"netmap:{name}}}{id}", $"slave end of pipe {id} of {name} (in use)");
            }
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

    /// <summary>Region files of this user: ("pipe", "NAME-ID") or ("vale", "SWITCH").</summary>
    private static IEnumerable<(string Kind, string Remainder)> Regions()
    {
        string[] files;
        try { files = Directory.GetFiles(SharedMemoryBackend.Directory, SharedMemoryBackend.FilePrefix + "*"); }
        catch (IOException) { yield break; }
        catch (UnauthorizedAccessException) { yield break; }
        foreach (string file in files.OrderBy(f => f, StringComparer.Ordinal))
        {
            string rest = Path.GetFileName(file)[SharedMemoryBackend.FilePrefix.Length..];
            int dash = rest.IndexOf('-');
            if (dash > 0) yield return (rest[..dash], rest[(dash + 1)..]);
        }
    }
}
