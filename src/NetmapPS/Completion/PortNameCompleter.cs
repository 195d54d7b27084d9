using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Netmap.Native.Ports;

namespace NetmapPS.Completion;

/// <summary>
/// Completes port names to open: <c>netmap:</c> plus each interface of /sys/class/net (and, once an
/// interface is typed in full, its ring pairs <c>-N</c>, host rings <c>^</c> and <c>*</c>), the pipe
/// ends and VALE switches and ports in use in region files in shared memory, and the other end of
/// pipes open here.
/// </summary>
public sealed class PortNameCompleter : IArgumentCompleter
{
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
        foreach (var port in PortSession.All)
        {
            var spec = port.Spec;
            if (spec.Pipe == Netmap.Native.PortNames.PipeEnd.None || spec.IsVale) continue;
            char other = spec.Pipe == Netmap.Native.PortNames.PipeEnd.Master ? '}' : '{';
            yield return ($"netmap:{spec.PortName}{other}{spec.PipeId}", $"other end of the open pipe '{port.Name}'");
        }
        foreach (var candidate in NetmapBackends.Candidates(typed))
            yield return (candidate.Name, candidate.Description);
        foreach (var port in PortSession.All)
            yield return (port.Name, $"open in this session: {port.Spec.Description}");
    }
}
