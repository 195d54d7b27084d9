using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace NetmapPS.Completion;

/// <summary>Completes -Filter with pcap-filter expressions that show the syntax (as tcpdump takes it).</summary>
public sealed class FilterCompleter : IArgumentCompleter
{
    /// <summary>The examples offered, with what each one matches.</summary>
    public static readonly IReadOnlyList<(string Expression, string Meaning)> Examples =
    [
        ("udp dst port 53", "DNS queries (UDP to port 53)"),
        ("port 53", "DNS, either direction, UDP or TCP"),
        ("tcp port 80 or tcp port 443", "web traffic"),
        ("tcp[tcpflags] & tcp-syn != 0", "TCP segments with SYN set"),
        ("host 10.0.0.1", "IPv4 packets from or to 10.0.0.1"),
        ("src net 10.0.0.0/8 and not dst net 10.0.0.0/8", "traffic leaving 10.0.0.0/8"),
        ("icmp or icmp6", "ICMP for IPv4 and IPv6"),
        ("arp", "ARP requests and replies"),
        ("ip6", "IPv6"),
        ("vlan and udp", "UDP inside an 802.1Q tag"),
        ("ether host 02:00:00:00:00:01", "frames from or to one MAC address"),
        ("ether broadcast", "Ethernet broadcasts"),
        ("greater 1000", "frames of 1000 bytes or more"),
        ("not port 22", "everything but SSH"),
    ];

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = new CompletionWord(wordToComplete);
        foreach (var (expression, meaning) in Examples)
            if (word.Text.Length == 0 || expression.Contains(word.Text, StringComparison.OrdinalIgnoreCase))
                yield return word.Result(expression, $"{meaning}: '{expression}'");
    }
}
