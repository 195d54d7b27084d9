using System.Net;
using System.Runtime.CompilerServices;

namespace Netmap.Native.Filters;

/// <summary>
/// A pcap-filter expression (as tcpdump takes it, e.g. <c>udp dst port 53</c>) compiled once by
/// libpcap to classic BPF, validated, then turned into IL, so that <see cref="Matches(ReadOnlySpan{byte}, int)"/>
/// tests a frame without allocating. Frames are raw bytes starting at the link-layer header.
/// A filter is immutable: one instance may be used from several threads at once.
/// </summary>
public sealed unsafe class PacketFilter
{
    /// <summary>DLT_EN10MB, the link type of Ethernet frames.</summary>
    public const int Ethernet = 1;

    /// <summary>The snap length libpcap and tcpdump use by default.</summary>
    public const int DefaultSnapLength = 262144;

    private readonly BpfInstruction[] _program;
    private readonly BpfFunction? _compiled;

    private PacketFilter(string? expression, BpfInstruction[] program, bool compileToIL)
    {
        BpfValidator.Validate(program, expression);
        Expression = expression;
        _program = program;
        _compiled = compileToIL && RuntimeFeature.IsDynamicCodeCompiled ? BpfCompiler.Compile(program) : null;
    }

    /// <summary>
    /// Compiles a pcap-filter expression with libpcap. Null, empty or blank matches every frame
    /// (and needs no libpcap).
    /// </summary>
    /// <param name="expression">The filter, in pcap-filter(7) syntax.</param>
    /// <param name="linkType">The frames' link type (DLT), <see cref="Ethernet"/> by default.</param>
    /// <param name="snapLength">The snap length the program returns for accepted frames.</param>
    /// <exception cref="FilterException">libpcap refused the expression; the message carries libpcap's reason.</exception>
    /// <exception cref="NetmapException">libpcap is not installed (NotSupported).</exception>
    /// <param name="netmask">The IPv4 netmask of the network the frames come from, for 'ip broadcast'; null when there is none (pipes, VALE ports, capture files).</param>
    public static PacketFilter Compile(string? expression, int linkType = Ethernet, int snapLength = DefaultSnapLength, IPAddress? netmask = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapLength);
        RefuseControlCharacters(expression);
        if (string.IsNullOrWhiteSpace(expression))
            return new PacketFilter("", [new BpfInstruction(0x06, 0, 0, (uint)snapLength)], compileToIL: true);
        return new PacketFilter(expression, PcapFilterCompiler.Compile(expression, linkType, snapLength, netmask), compileToIL: true);
    }

    /// <summary>
    /// libpcap takes the expression as a C string, so a NUL would silently end it there (and
    /// "tcp\0 and udp" would become the broader "tcp"); other control characters are no part of the
    /// language either. Tab, newline and carriage return are white space, as in a filter file.
    /// </summary>
    private static void RefuseControlCharacters(string? expression)
    {
        if (expression is null) return;
        for (int i = 0; i < expression.Length; i++)
        {
            char c = expression[i];
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                string shown = string.Concat(expression.Select(ch => char.IsControl(ch) && ch is not ('\t' or '\n' or '\r') ? $"\\u{(int)ch:x4}" : ch.ToString()));
                throw new FilterException(
                    $"Invalid filter '{shown}': character {i + 1} is the control character U+{(int)c:X4}, which a filter cannot contain" +
                    (c == '\0' ? $" (libpcap would stop reading there and run only '{expression[..i]}')" : "") + "; remove it.", expression);
            }
        }
    }

    /// <summary>
    /// The IPv4 netmask of the interface a port is on, for 'ip broadcast': the port's interface (netmap:eth0)
    /// when it has an IPv4 address, else null (pipes, VALE ports, interfaces without IPv4).
    /// </summary>
    public static IPAddress? InterfaceNetmask(PortNames.PortSpec spec)
    {
        if (spec.IsVale || spec.Pipe != PortNames.PipeEnd.None) return null;
        try
        {
            var face = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == spec.PortName);
            return face?.GetIPProperties().UnicastAddresses
                .FirstOrDefault(a => a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)?.IPv4Mask;
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            return null;
        }
    }

    /// <summary>Builds a filter from classic BPF instructions, after validating them.</summary>
    /// <exception cref="FilterException">The program fails validation; the message names the instruction and the problem.</exception>
    public static PacketFilter FromProgram(IEnumerable<BpfInstruction> program) =>
        new(null, program.ToArray(), compileToIL: true);

    /// <summary>Like <see cref="FromProgram"/>, but runs the program through the interpreter instead of IL.</summary>
    internal static PacketFilter FromProgramInterpreted(IEnumerable<BpfInstruction> program) =>
        new(null, program.ToArray(), compileToIL: false);

    /// <summary>The filter expression; empty for match-all, null when built from a program.</summary>
    public string? Expression { get; }

    /// <summary>The validated BPF program.</summary>
    public IReadOnlyList<BpfInstruction> Program => _program;

    /// <summary>True when the program accepts every frame without looking at it (a lone non-zero RET).</summary>
    public bool MatchesEverything => _program is [{ Code: 0x06, K: not 0 }];

    /// <summary>Tests a frame whose captured bytes are <paramref name="frame"/>.</summary>
    /// <param name="frame">The captured bytes, from the link-layer header on.</param>
    /// <param name="wireLength">The frame's length on the wire (what <c>len</c> and <c>greater</c> test); at least <c>frame.Length</c>.</param>
    public bool Matches(ReadOnlySpan<byte> frame, int wireLength)
    {
        fixed (byte* p = frame)
            return Matches(p, frame.Length, wireLength);
    }

    /// <summary>Tests a frame captured whole: its wire length is its length.</summary>
    public bool Matches(ReadOnlySpan<byte> frame) => Matches(frame, frame.Length);

    /// <summary>Tests a frame in unmanaged memory, e.g. a netmap buffer.</summary>
    /// <param name="frame">The first captured byte.</param>
    /// <param name="captured">How many bytes at <paramref name="frame"/> may be read.</param>
    /// <param name="wireLength">The frame's length on the wire; at least <paramref name="captured"/>.</param>
    public bool Matches(byte* frame, int captured, int wireLength)
    {
        if (captured < 0 || wireLength < captured)
            ThrowBadLengths(captured, wireLength);
        return (_compiled is not null
            ? _compiled(frame, (uint)captured, (uint)wireLength)
            : BpfInterpreter.Run(_program, frame, (uint)captured, (uint)wireLength)) != 0;
    }

    /// <summary>The program's return value (the snap length for accepted frames, 0 for rejected), through the IL.</summary>
    internal uint Run(byte* frame, int captured, int wireLength) =>
        _compiled?.Invoke(frame, (uint)captured, (uint)wireLength) ?? Interpret(frame, captured, wireLength);

    /// <summary>The program's return value through the interpreter, the reference for the IL.</summary>
    internal uint Interpret(byte* frame, int captured, int wireLength) =>
        BpfInterpreter.Run(_program, frame, (uint)captured, (uint)wireLength);

    /// <summary>The expression, or a note that the filter was built from instructions.</summary>
    public override string ToString() => Expression ?? $"({_program.Length} BPF instructions)";

    private static void ThrowBadLengths(int captured, int wireLength) =>
        throw new ArgumentOutOfRangeException(nameof(wireLength),
            $"The wire length ({wireLength}) must be at least the captured length ({captured}), which must not be negative.");
}
