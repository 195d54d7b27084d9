using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Netmap.Native.Ports;

namespace NetmapPS.Completion;

/// <summary>
/// Completes -Ring with the rings of the port given in -Port (or of every open port): the RX rings
/// the port holds for Receive-NetmapPacket, its TX rings for Send-NetmapPacket, and its host TX
/// rings when -HostRing is given.
/// </summary>
public sealed class RingCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = new CompletionWord(wordToComplete);
        bool transmit = commandName.StartsWith("Send-", StringComparison.OrdinalIgnoreCase);
        bool host = fakeBoundParameters.Contains("HostRing") && LanguagePrimitives.IsTrue(fakeBoundParameters["HostRing"]);
        var rings = new SortedDictionary<uint, List<string>>();
        foreach (var port in PortsOf(fakeBoundParameters))
        {
            if (!port.IsOpen) continue;
            IEnumerable<uint> indices = host ? Range(0, port.HostTxRingCount)
                : transmit ? Range(port.TxRings.First, port.TxRings.End) : Range(port.RxRings.First, port.RxRings.End);
            foreach (uint i in indices)
            {
                if (!rings.TryGetValue(i, out var names)) rings[i] = names = new List<string>();
                names.Add(port.Name);
            }
        }
        string what = host ? "host TX" : transmit ? "TX" : "RX";
        foreach (var (index, names) in rings)
        {
            string text = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (word.Matches(text)) yield return word.Result(text, $"{what} ring {index} of {string.Join(", ", names)}");
        }
    }

    private static IEnumerable<uint> Range(uint first, uint end)
    {
        for (uint i = first; i < end; i++) yield return i;
    }

    /// <summary>The ports -Port names (objects or names of open ports), else every open port.</summary>
    private static IEnumerable<NetmapPort> PortsOf(IDictionary bound)
    {
        if (!bound.Contains("Port")) return PortSession.All;
        var found = new List<NetmapPort>();
        foreach (object? item in LanguagePrimitives.GetEnumerable(bound["Port"]) ?? new[] { bound["Port"] })
        {
            object? value = item is PSObject ps ? ps.BaseObject : item;
            if (value is NetmapPort port) found.Add(port);
            else if (value is string name) found.AddRange(PortSession.Match(name));
        }
        return found;
    }
}
