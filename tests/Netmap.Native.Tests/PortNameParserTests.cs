using System.Text;
using Netmap.Native.PortNames;
using Xunit;

namespace Netmap.Native.Tests;

public class PortNameParserTests
{
    // ---- valid names -------------------------------------------------------------------------

    private static readonly Dictionary<string, PortSpec> ValidSpecs = new()
    {
        ["netmap:eth0"] = Spec("netmap", "eth0", "eth0"),
        ["netmap:eth0-1"] = Spec("netmap", "eth0", "eth0", RegisterMode.OneNic, ring: 1),
        ["netmap:eth0^"] = Spec("netmap", "eth0", "eth0", RegisterMode.Host),
        ["netmap:eth0^1"] = Spec("netmap", "eth0", "eth0", RegisterMode.OneHost, ring: 1),
        ["netmap:eth0*"] = Spec("netmap", "eth0", "eth0", RegisterMode.NicAndHost),
        ["netmap:eth0/T"] = Spec("netmap", "eth0", "eth0", flags: RegisterFlags.TxRingsOnly),
        ["netmap:eth0-1/T"] = Spec("netmap", "eth0", "eth0", RegisterMode.OneNic, ring: 1, flags: RegisterFlags.TxRingsOnly),
        ["netmap:eth0/rz"] = Spec("netmap", "eth0", "eth0", flags: RegisterFlags.MonitorRx | RegisterFlags.ZeroCopyMonitor),
        ["netmap:eth0/x"] = Spec("netmap", "eth0", "eth0", flags: RegisterFlags.Exclusive),
        ["netmap:eth0@2"] = Spec("netmap", "eth0", "eth0", memoryId: 2),
        ["netmap:p{1"] = Spec("netmap", "p{1", "p", pipe: PipeEnd.Master, pipeId: "1"),
        ["netmap:p}1"] = Spec("netmap", "p}1", "p", pipe: PipeEnd.Slave, pipeId: "1"),
        ["netmap:p{pipe_a-0"] = Spec("netmap", "p{pipe_a", "p", RegisterMode.OneNic, pipe: PipeEnd.Master, pipeId: "pipe_a"),
        ["vale0:a"] = Spec("vale0", "vale0:a", "a"),
        ["vale:x"] = Spec("vale", "vale:x", "x"),
        ["valeX_1:port/x"] = Spec("valeX_1", "valeX_1:port", "port", flags: RegisterFlags.Exclusive),
        ["netmap:eth0@conf:rings=2,host-rings=1,slots=512"] = Spec("netmap", "eth0", "eth0",
            config: new PortConfig { TxRings = 2, RxRings = 2, HostTxRings = 1, HostRxRings = 1, TxSlots = 512, RxSlots = 512 }),
        // a repeated @conf merges as libnetmap does: each group sets what it names, a later group wins
        ["netmap:eth0@conf:rings=2@conf:slots=3"] = Spec("netmap", "eth0", "eth0",
            config: new PortConfig { TxRings = 2, RxRings = 2, TxSlots = 3, RxSlots = 3 }),
        ["netmap:eth0@conf:tx-rings=5,rings=1@conf:rings=2,rx-slots=7"] = Spec("netmap", "eth0", "eth0",
            config: new PortConfig { TxRings = 2, RxRings = 2, RxSlots = 7 }),
        ["netmap:eth0/@conf:rings=1"] = Spec("netmap", "eth0", "eth0", config: new PortConfig { TxRings = 1, RxRings = 1 }),
        ["netmap:eth0@conf:tx-slots=256@share=netmap:eth1"] = Spec("netmap", "eth0", "eth0",
            config: new PortConfig { TxSlots = 256 }, share: "netmap:eth1"),
        ["vale0:a@extmem:file=/tmp/m,buf-num=1000"] = Spec("vale0", "vale0:a", "a",
            extmem: new ExternalMemory { File = "/tmp/m", BufferCount = 1000 }),
        ["netmap:eth0@3@conf:rings=4"] = Spec("netmap", "eth0", "eth0", memoryId: 3,
            config: new PortConfig { TxRings = 4, RxRings = 4 }),
        // Less common corners of the grammar.
        ["netmap:eth0-4094"] = Spec("netmap", "eth0", "eth0", RegisterMode.OneNic, ring: 4094),
        ["netmap:eth0^/t"] = Spec("netmap", "eth0", "eth0", RegisterMode.Host, flags: RegisterFlags.MonitorTx),
        ["netmap:eth0^@2"] = Spec("netmap", "eth0", "eth0", RegisterMode.Host, memoryId: 2),
        ["netmap:eth0*/xR@7"] = Spec("netmap", "eth0", "eth0", RegisterMode.NicAndHost,
            flags: RegisterFlags.Exclusive | RegisterFlags.RxRingsOnly, memoryId: 7),
        ["netmap:eth0@2/x"] = Spec("netmap", "eth0", "eth0", flags: RegisterFlags.Exclusive, memoryId: 2),
        ["netmap:eth0/@1"] = Spec("netmap", "eth0", "eth0", memoryId: 1), // an empty flag group: no flags, as libnetmap reads it
        ["netmap:eth0/t@2/r@2"] = Spec("netmap", "eth0", "eth0", flags: RegisterFlags.MonitorTx | RegisterFlags.MonitorRx, memoryId: 2),
        ["netmap:eth0@65535"] = Spec("netmap", "eth0", "eth0", memoryId: 65535),
        ["netmap:eth0.100"] = Spec("netmap", "eth0.100", "eth0.100"),
        ["netmap:" + new string('a', 15)] = Spec("netmap", new string('a', 15), new string('a', 15)),
        ["netmap:" + new string('a', 15) + "{" + new string('b', 47)] = Spec("netmap", new string('a', 15) + "{" + new string('b', 47),
            new string('a', 15), pipe: PipeEnd.Master, pipeId: new string('b', 47)),
        ["vale0:" + new string('a', 15)] = Spec("vale0", "vale0:" + new string('a', 15), new string('a', 15)),
        ["vale" + new string('x', 11) + ":a"] = Spec("vale" + new string('x', 11), "vale" + new string('x', 11) + ":a", "a"),
        ["netmap:eth0@conf:tx_rings=4,rings=2"] = Spec("netmap", "eth0", "eth0",
            config: new PortConfig { TxRings = 4, RxRings = 2 }),
        ["netmap:eth0@conf:rings=65535,slots=4294967295"] = Spec("netmap", "eth0", "eth0",
            config: new PortConfig { TxRings = 65535, RxRings = 65535, TxSlots = uint.MaxValue, RxSlots = uint.MaxValue }),
        ["netmap:eth0@share=vale0:a"] = Spec("netmap", "eth0", "eth0", share: "vale0:a"),
        ["netmap:eth0@share:port=netmap:eth1"] = Spec("netmap", "eth0", "eth0", share: "netmap:eth1"),
        ["netmap:eth0@extmem=/tmp/a,b=c:d"] = Spec("netmap", "eth0", "eth0", extmem: new ExternalMemory { File = "/tmp/a,b=c:d" }),
        ["netmap:eth0@extmem:if-num=1,file=/m,if-size=2,ring-num=3,ring-size=4,buf-num=5,buf-size=6"] =
            Spec("netmap", "eth0", "eth0", extmem: new ExternalMemory
            {
                File = "/m", InterfaceCount = 1, InterfaceSize = 2, RingCount = 3, RingSize = 4, BufferCount = 5, BufferSize = 6,
            }),
        ["vale0:a}b_2^3/T@1@share=netmap:x@extmem=/f@conf:host-tx-rings=1"] = Spec("vale0", "vale0:a}b_2", "a",
            RegisterMode.OneHost, ring: 3, flags: RegisterFlags.TxRingsOnly, memoryId: 1, pipe: PipeEnd.Slave, pipeId: "b_2",
            config: new PortConfig { HostTxRings = 1 }, share: "netmap:x", extmem: new ExternalMemory { File = "/f" }),
    };

    public static TheoryData<string> ValidNames => new(ValidSpecs.Keys);

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void ParsesValidName(string name)
    {
        var spec = PortNameParser.Parse(name);

        Assert.Equal(Fields(ValidSpecs[name], name), Fields(spec));
    }

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void CanonicalNameRoundTrips(string name)
    {
        var spec = PortNameParser.Parse(name);
        string canonical = spec.ToString();

        var reparsed = PortNameParser.Parse(canonical);

        Assert.Equal(canonical, reparsed.Name);
        Assert.Equal(Fields(spec, canonical), Fields(reparsed));
        Assert.Equal(canonical, reparsed.ToString());
    }

    [Theory]
    [InlineData("netmap:eth0", "netmap:eth0")]
    [InlineData("netmap:eth0-1/T", "netmap:eth0-1/T")]
    [InlineData("netmap:eth0/zr", "netmap:eth0/zr")]
    [InlineData("netmap:eth0@conf:tx-rings=2,rx-rings=2,host-rings=1", "netmap:eth0@conf:rings=2,host_rings=1")]
    [InlineData("netmap:eth0@conf:tx-slots=256@share=netmap:eth1", "netmap:eth0@conf:tx_slots=256@share=netmap:eth1")]
    [InlineData("vale0:a@extmem:file=/tmp/m,buf-num=1000", "vale0:a@extmem:file=/tmp/m,buf_num=1000")]
    [InlineData("netmap:eth0/t@2/x", "netmap:eth0/xt@2")]
    [InlineData("netmap:eth0-007", "netmap:eth0-7")]
    public void ToStringIsCanonical(string name, string canonical)
    {
        Assert.Equal(canonical, PortNameParser.Parse(name).ToString());
    }

    [Theory]
    [InlineData("netmap:eth0", "all NIC rings of eth0")]
    [InlineData("netmap:eth0-1/T", "NIC ring pair 1 of eth0, TX rings only")]
    [InlineData("netmap:eth0^", "host rings of eth0")]
    [InlineData("netmap:eth0^2", "host ring 2 of eth0")]
    [InlineData("netmap:eth0*/x", "NIC and host rings of eth0, exclusive access")]
    [InlineData("netmap:p{1", "master end of pipe 1 of p")]
    [InlineData("netmap:p}1", "slave end of pipe 1 of p")]
    [InlineData("vale0:a", "port a of VALE switch vale0")]
    [InlineData("netmap:eth0/r", "monitor of rx traffic on all NIC rings of eth0")]
    [InlineData("netmap:eth0-2/tz", "zero-copy monitor of tx traffic on NIC ring pair 2 of eth0")]
    [InlineData("netmap:eth0/tr@3", "monitor of tx and rx traffic on all NIC rings of eth0, memory region 3")]
    [InlineData("netmap:eth0@conf:rings=2@share=netmap:eth1",
        "all NIC rings of eth0, with 2 TX rings, 2 RX rings, sharing memory with netmap:eth1")]
    [InlineData("vale0:a@extmem=/tmp/m", "port a of VALE switch vale0, external memory from /tmp/m")]
    [InlineData("netmap:eth0@conf:host-rings=1,tx-slots=1024", "all NIC rings of eth0, with 1 host TX ring, 1 host RX ring, 1024 slots per TX ring")]
    public void DescribesInPlainWords(string name, string description)
    {
        Assert.Equal(description, PortNameParser.Parse(name).Description);
    }

    [Theory]
    [InlineData("netmap:eth0/t", true)]
    [InlineData("netmap:eth0/r", true)]
    [InlineData("netmap:eth0/z", false)]
    [InlineData("netmap:eth0/xRT", false)]
    public void RecognisesMonitors(string name, bool isMonitor)
    {
        Assert.Equal(isMonitor, PortNameParser.Parse(name).IsMonitor);
    }

    // ---- invalid names -----------------------------------------------------------------------

    public static TheoryData<string, int, string> InvalidNames => new()
    {
        { "eth0", 0, "did you mean 'netmap:eth0'?" },
        { "NETMAP:eth0", 0, "did you mean 'netmap:eth0'?" },
        { "netmapx:eth0", 6, "expected ':' right after 'netmap', found 'x'" },
        { "netmap", 6, "found end of name" },
        { "vale-0:a", 4, "expected ':' after the VALE switch name 'vale', found '-'" },
        { "vale0", 5, "found end of name" },
        { "netmap:", 7, "expected a port name after 'netmap:', found end of name" },
        { "netmap:-1", 7, "expected a port name after 'netmap:', found '-'" },
        { "vale0:^", 6, "expected a port name after 'vale0:'" },
        { "netmap:eth0-", 12, "expected a ring number after '-', found end of name" },
        { "netmap:eth0-x", 12, "expected a ring number after '-', found 'x'" },
        { "netmap:eth0-4095", 12, "expected a ring number from 0 to 4094, found '4095'" },
        { "netmap:eth0^99999999999999999999999", 12, "ring number from 0 to 4094" },
        { "netmap:eth0*1", 12, "expected '/', '@' or the end of the name, found '1'" },
        { "netmap:eth0-1-2", 13, "expected '/', '@' or the end of the name, found '-'" },
        { "netmap:eth0/", 12, "expected at least one flag letter after '/'" },
        { "netmap:eth0/q", 12, "expected a flag letter (x, z, t, r, R or T), found 'q'" },
        { "netmap:eth0/x/z", 13, "found '/'" },
        { "netmap:eth0/x-1", 13, "found '-'" },
        { "netmap:p{", 9, "expected a pipe id after '{', found end of name" },
        { "netmap:p{-1", 9, "expected a pipe id after '{', found '-'" },
        { "netmap:p{a.b", 10, "expected a pipe id of letters, digits or '_', found '.'" },
        { "netmap:p{a}b", 10, "found '}'" },
        { "netmap:{1", 7, "expected a port name before the pipe mark '{'" },
        { "netmap:p{" + new string('a', 62), 70, "expected at most 63 bytes for port and pipe, found a name of 64 bytes" },
        { "vale0:p{" + new string('a', 56), 63, "too long" },
        // Interface, pipe parent, VALE port and switch names: IFNAMSIZ, and nothing a path or a command would read.
        { "netmap:" + new string('a', 16), 22, "expected at most 15 characters for the interface or port name, found a name of 16 characters" },
        { "netmap:" + new string('a', 300), 22, "IFNAMSIZ" },
        { "vale0:" + new string('a', 16), 21, "at most 15 characters for the interface or port name" },
        { "vale" + new string('x', 12) + ":a", 15, "at most 15 characters for the VALE switch name" },
        { "netmap:" + new string('a', 16) + "{1", 22, "at most 15 characters" },
        { "netmap:eth0;reboot", 11, "expected an interface or port name of letters, digits, '_' and '.', found ';'" },
        { "netmap:../x", 7, "expected an interface or port name that does not start with '.', found '.'" },
        { "netmap:..{1", 7, "does not start with '.'" },
        { "netmap:.", 7, "does not start with '.'" },
        { "vale0:..", 6, "does not start with '.'" },
        { "vale../x:p", 4, "expected ':' after the VALE switch name 'vale', found '.'" },
        { "netmap:a b", 8, "found ' '" },
        { "netmap:a\nb", 8, "found the control character U+000A" },
        { "netmap:a\u001b[2J", 8, "found the control character U+001B" },
        { "netmap:$(id)", 7, "found '$'" },
        { "netmap:a`id`", 8, "found '`'" },
        { "netmap:a:b", 8, "found ':'" },
        { "netmap:a;b{1", 8, "found ';'" },
        { "vale0:a;b", 7, "found ';'" },
        { "netmap:caf\u00e9", 10, "of letters, digits, '_' and '.'" },
        { "netmap:eth\u00000", 10, "expected a character other than NUL" },
        { "netmap:eth0@0", 12, "expected a memory id from 1 to 65535, found '0'" },
        { "netmap:eth0@65536", 12, "expected a memory id from 1 to 65535, found '65536'" },
        { "netmap:eth0@2@3", 14, "expected the memory id given before (2), found '3'" },
        { "netmap:eth0@", 12, "expected a memory id or an option name after '@', found end of name" },
        { "netmap:eth0@conf", 16, "expected ':' and key=value pairs after 'conf', found end of name" },
        { "netmap:eth0@conf=2", 16, "expected ':' after 'conf', found '='" },
        { "netmap:eth0@conf:", 17, "expected a key of option 'conf'" },
        { "netmap:eth0@conf:rings=2,", 25, "expected a key of option 'conf'" },
        { "netmap:eth0@conf:rings=2,rings=3", 25, "duplicate key 'rings'. It was already set to '2'." },
        { "netmap:eth0@conf:host-rings=2,host_rings=3", 30, "duplicate key 'host_rings'" },
        { "netmap:eth0@conf:bogus=1", 17, "expected a key of option 'conf' (rings, host_rings, slots, tx_rings, rx_rings, "
            + "host_tx_rings, host_rx_rings, tx_slots, rx_slots), found 'bogus'" },
        { "netmap:eth0@conf:rings", 22, "expected '=value' after the key 'rings', found end of name" },
        { "netmap:eth0@conf:rings=", 23, "expected a value after 'rings='" },
        { "netmap:eth0@conf:rings=x", 23, "expected a positive whole number up to 65535 for 'rings', found 'x'. "
            + "Values must be plain decimal digits: unlike libnetmap's atoi()" },
        { "netmap:eth0@conf:rings=12k", 23, "found '12k'" },
        { "netmap:eth0@conf:rings=0", 23, "positive whole number" },
        { "netmap:eth0@conf:rings=65536", 23, "up to 65535" },
        { "netmap:eth0@conf:slots=4294967296", 23, "up to 4294967295" },
        { "netmap:eth0@conf:rings=-1", 23, "found '-1'" },
        { "netmap:eth0@offset=4", 12, "option 'offset' is not supported" },
        { "netmap:eth0@share=netmap:a@share=netmap:b", 27, "expected each of share and extmem at most once, found 'share'" },
        { "netmap:eth0/", 12, "expected at least one flag letter after '/'" },
        { "netmap:eth0@@conf:rings=1", 12, "expected a memory id or an option name after '@', found '@'" },
        { "netmap:eth0@conf:rings=1@", 25, "expected an option name after '@', found end of name" },
        { "netmap:eth0@conf:rings=1@2", 25, "A memory id ('@N') must come before the options." },
        { "netmap:eth0@share", 17, "expected '=' and a port after 'share', found end of name" },
        { "netmap:eth0@share=", 18, "expected a port after 'share='" },
        { "netmap:eth0@share:", 18, "expected a key of option 'share' (port)" },
        { "netmap:eth0@share=eth1", 18, "The value of 'share' must itself be a port name. Did you mean 'netmap:eth1'?" },
        { "netmap:eth0@share=netmap:eth1-x", 30, "expected a ring number after '-', found 'x'" },
        { "netmap:eth0@extmem:buf-num=1", 28, "expected the mandatory key 'file' of option 'extmem', found none" },
        { "netmap:eth0@extmem:file=/m,buf-num=1.5", 35, "found '1.5'" },
        { "netmap:eth0@nope=1", 12, "expected an option name (conf, share or extmem), found 'nope'" },
        { "netmap:eth0@=1", 12, "expected an option name (conf, share or extmem), found '='" },
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public void RejectsInvalidName(string name, int offset, string fragment)
    {
        var error = Assert.Throws<PortNameException>(() => PortNameParser.Parse(name));

        Assert.Equal(offset, error.Position);
        Assert.Contains(fragment, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(name, error.PortName);
        Assert.StartsWith($"Invalid port name '{PortNameException.Printable(name)}' at offset {offset}: expected {error.Expected}, found ", error.Message);
        Assert.False(PortNameParser.TryParse(name, out var spec, out var tryError));
        Assert.Null(spec);
        Assert.Equal(error.Message, tryError!.Message);
    }

    [Theory]
    [InlineData("netmap:a\nb")]
    [InlineData("netmap:a\u001b[2Jb")]
    [InlineData("netmap:eth\u00000")]
    public void MessagesCarryNoControlCharacters(string name)
    {
        var error = Assert.Throws<PortNameException>(() => PortNameParser.Parse(name));

        Assert.DoesNotContain(error.Message, char.IsControl);
        Assert.Equal(name, error.PortName);
    }

    [Fact]
    public void MessageHasTheDocumentedShape()
    {
        var error = Assert.Throws<PortNameException>(() => PortNameParser.Parse("netmap:eth0-x"));

        Assert.StartsWith("Invalid port name 'netmap:eth0-x' at offset 12: expected a ring number after '-', found 'x'.",
            error.Message);
        Assert.Equal("a ring number after '-'", error.Expected);
        Assert.Equal("'x'", error.Found);
        Assert.IsAssignableFrom<FormatException>(error);
    }

    [Fact]
    public void RejectsNullAndEmpty()
    {
        var onNull = Assert.Throws<PortNameException>(() => PortNameParser.Parse(null!));
        var onEmpty = Assert.Throws<PortNameException>(() => PortNameParser.Parse(""));

        Assert.Equal(0, onNull.Position);
        Assert.Equal(0, onEmpty.Position);
        Assert.Contains("netmap:eth0", onEmpty.Message);
    }

    [Fact]
    public void TryParseReturnsTheSpec()
    {
        Assert.True(PortNameParser.TryParse("netmap:eth0-1", out var spec, out var error));
        Assert.Null(error);
        Assert.Equal(RegisterMode.OneNic, spec!.Mode);
    }

    // ---- fuzz ---------------------------------------------------------------------------------

    private const string FuzzAlphabet = "netmapvale0123456789:-*^/@{}xztrRT=,_.aAbcfgiklosu \t\u00e9\u0000";

    [Fact]
    [Trait("Category", "Fuzz")]
    public void NeverThrowsAnythingElseAndValidNamesRoundTrip()
    {
        var random = new Random(20240917 + Fuzz.Scale);
        int count = 20_000 * Fuzz.Scale;
        string[] seeds = [.. ValidSpecs.Keys, "netmap:eth0@conf:rings=2", "vale0:a}b^1/xzT@3@share=netmap:q@extmem=/f"];
        int accepted = 0;
        for (int i = 0; i < count; i++)
        {
            string name = i % 2 == 0 ? RandomName(random) : Mutate(random, seeds[random.Next(seeds.Length)]);
            if (CheckOne(name))
                accepted++;
        }
        Assert.InRange(accepted, count / 200, count * 95 / 100);
    }

    [Fact]
    public void HandlesHugeNamesInLinearTime()
    {
        string longName = "netmap:" + new string('a', 1_000_000);
        string manyKeys = "netmap:eth0@extmem:file=/m," + string.Join(",", Enumerable.Repeat("x", 200_000));
        string manyAts = "netmap:eth0@share=" + new string('@', 200_000);

        Assert.Equal(22, Assert.Throws<PortNameException>(() => PortNameParser.Parse(longName)).Position);
        Assert.Equal(27, Assert.Throws<PortNameException>(() => PortNameParser.Parse(manyKeys)).Position);
        Assert.Equal(18, Assert.Throws<PortNameException>(() => PortNameParser.Parse(manyAts)).Position);
    }

    private static bool CheckOne(string name)
    {
        try
        {
            var spec = PortNameParser.Parse(name);
            Assert.Equal(Fields(spec, spec.ToString()), Fields(PortNameParser.Parse(spec.ToString())));
            Assert.False(string.IsNullOrEmpty(spec.Description));
            return true;
        }
        catch (PortNameException e)
        {
            Assert.InRange(e.Position, 0, name.Length);
            return false;
        }
    }

    private static string RandomName(Random random)
    {
        string[] starts = ["netmap:", "vale0:", "vale:", "", "net", "valeA_:"];
        var name = new StringBuilder(starts[random.Next(starts.Length)]);
        int length = random.Next(0, 40);
        for (int i = 0; i < length; i++)
            name.Append(FuzzAlphabet[random.Next(FuzzAlphabet.Length)]);
        return name.ToString();
    }

    private static string Mutate(Random random, string seed)
    {
        var name = new StringBuilder(seed);
        int edits = random.Next(1, 4);
        for (int i = 0; i < edits; i++)
        {
            int at = random.Next(name.Length + 1);
            char c = FuzzAlphabet[random.Next(FuzzAlphabet.Length)];
            switch (random.Next(3))
            {
                case 0: name.Insert(at, c); break;
                case 1 when at < name.Length: name.Remove(at, 1); break;
                default: if (at < name.Length) name[at] = c; break;
            }
        }
        return name.ToString();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static PortSpec Spec(string prefix, string request, string port, RegisterMode mode = RegisterMode.AllNic,
        ushort ring = 0, RegisterFlags flags = RegisterFlags.None, ushort memoryId = 0,
        PipeEnd pipe = PipeEnd.None, string? pipeId = null,
        PortConfig? config = null, string? share = null, ExternalMemory? extmem = null)
    {
        bool isVale = prefix != "netmap";
        return new PortSpec
        {
            Prefix = prefix, IsVale = isVale, SwitchName = isVale ? prefix : null,
            RequestName = request, PortName = port, Pipe = pipe, PipeId = pipeId,
            Mode = mode, RingId = ring, Flags = flags, MemoryId = memoryId,
            Config = config, ShareWith = share, ExternalMemory = extmem,
        };
    }

    /// <summary>Every field of a spec on one line, so two specs compare with a readable diff.</summary>
    private static string Fields(PortSpec s, string? name = null)
    {
        string config = s.Config is not { } c ? "none"
            : $"tx={c.TxRings} rx={c.RxRings} htx={c.HostTxRings} hrx={c.HostRxRings} txs={c.TxSlots} rxs={c.RxSlots}";
        string extmem = s.ExternalMemory is not { } e ? "none"
            : $"file={e.File} ifn={e.InterfaceCount} ifs={e.InterfaceSize} rn={e.RingCount} rs={e.RingSize} "
              + $"bn={e.BufferCount} bs={e.BufferSize}";
        return $"name={name ?? s.Name} prefix={s.Prefix} vale={s.IsVale} switch={s.SwitchName} request={s.RequestName} "
            + $"port={s.PortName} pipe={s.Pipe}:{s.PipeId} mode={s.Mode} ring={s.RingId} flags={s.Flags} "
            + $"mem={s.MemoryId} conf=[{config}] share={s.ShareWith} extmem=[{extmem}]";
    }
}
