using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace NetmapPS.Completion;

/// <summary>Completes the names of the ports open in this session (for -Port, and -Name of Close-/Get-NetmapPort).</summary>
public sealed class OpenPortCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = new CompletionWord(wordToComplete);
        foreach (var port in PortSession.All)
            if (word.Matches(port.Name))
                yield return word.Result(port.Name, $"{port.Spec.Description} ({port.Mode}; TX rings {port.TxRings}, RX rings {port.RxRings})");
    }
}
