using System.Text;
using Netmap.Native.PortNames;
using Xunit;
using Xunit.Abstractions;

namespace Netmap.Native.Tests;

/// <summary>
/// Port names against libnetmap's own nmport_parse: a small C driver is built at test time (in a
/// temporary directory) from netmap's libnetmap source, reads generated names and prints what
/// nmport_parse made of each (accepted or not, nr_name, nr_mode, nr_ringid, nr_flags, nr_mem_id and
/// the @conf ring and slot counts). PortNameParser must accept exactly the names libnetmap accepts,
/// with every field equal, except where NetmapPS is stricter on purpose (StrictRules, also in
/// about_NetmapPS_PortNames). @share and @extmem are left out: libnetmap resolves them by opening
/// /dev/netmap and the file while parsing.
/// </summary>
public sealed class PortNameLibnetmapAgreementTests(ITestOutputHelper output)
{
    /// <summary>Where libnetmap accepts a name that NetmapPS refuses, and why (matched in the refusal's message).</summary>
    public static readonly (string Rule, string MessagePart)[] StrictRules =
    [
        ("interface, pipe parent, VALE port and switch names: ASCII letters, digits, '_' and '.', not first", "of letters, digits, '_' and '.'"),
        ("... and not starting with '.'", "that does not start with '.'"),
        ("... and at most 15 characters (IFNAMSIZ), where libnetmap allows 63", "at most 15 characters"),
        ("option values: plain decimal above 0 within the field (libnetmap's atoi reads 'x' as 0, '12k' as 12, truncates 70000)", "positive whole number"),
        ("option values: not empty (libnetmap ignores 'rings=')", "a value after"),
        ("memory ids: 1 to 65535 (libnetmap's strtol truncates 70000 to 4464)", "a memory id from 1 to 65535"),
        ("a pipe id is not empty (libnetmap checks that only at the end of the name: 'p{-1' is pipe '' of p)", "a pipe id after"),
        ("a pipe has a port name before its mark (libnetmap takes '}eth0' as a port name)", "a port name before the pipe mark"),
        ("a port name is not empty (libnetmap takes 'vale0:' itself as the VALE port name)", "a port name after"),
        ("'@conf:' has at least one key=value (libnetmap accepts it empty)", "a key of option 'conf'"),
    ];

    private const string Driver = """
        #include <stdio.h>
        #include <string.h>
        #include <inttypes.h>
        #include <libnetmap.h>
        int main(int argc, char **argv) {
            char line[4096];
            FILE *in = fopen(argv[1], "r");
            if (in == NULL) return 2;
            while (fgets(line, sizeof line, in)) {
                line[strcspn(line, "\n")] = '\0';
                struct nmport_d *d = nmport_new();
                if (nmport_parse(d, line) < 0) { printf("ERR\n"); nmport_delete(d); continue; }
                printf("OK\t%s\t%u\t%u\t%" PRIu64 "\t%u\t%u\t%u\t%u\t%u\t%u\t%u\n", d->hdr.nr_name, d->reg.nr_mode,
                    d->reg.nr_ringid, (uint64_t)d->reg.nr_flags, d->reg.nr_mem_id, d->reg.nr_tx_rings, d->reg.nr_rx_rings,
                    d->reg.nr_host_tx_rings, d->reg.nr_host_rx_rings, d->reg.nr_tx_slots, d->reg.nr_rx_slots);
                nmport_undo_parse(d);
                nmport_delete(d);
            }
            return 0;
        }
        """;

    [LibnetmapFact]
    public void AcceptsAndReadsNamesAsLibnetmapDoes()
    {
        using var temp = new TempDirectory();
        string driver = BuildDriver(temp);

        List<string> names = Names(new Random(20261201), 6000);
        string file = temp.File("names.txt");
        File.WriteAllLines(file, names);
        var (exit, stdout, stderr) = ExternalTool.Run(driver, file);
        Assert.True(exit == 0, $"the libnetmap driver failed ({exit}): {stderr}");
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(names.Count, lines.Length);

        var problems = new List<string>();
        var strict = StrictRules.ToDictionary(r => r.Rule, _ => 0);
        int bothAccept = 0, bothRefuse = 0;
        for (int i = 0; i < names.Count; i++)
        {
            string[] theirs = lines[i].Split('\t');
            bool ours = PortNameParser.TryParse(names[i], out PortSpec? spec, out PortNameException? error);
            if (theirs[0] == "ERR")
            {
                if (ours) problems.Add($"'{names[i]}': NetmapPS accepts it, libnetmap refuses it");
                else bothRefuse++;
                continue;
            }
            if (!ours)
            {
                var rule = StrictRules.FirstOrDefault(r => error!.Message.Contains(r.MessagePart, StringComparison.Ordinal));
                if (rule.Rule is null) problems.Add($"'{names[i]}': libnetmap accepts it, NetmapPS refuses it: {error!.Message}");
                else strict[rule.Rule]++;
                continue;
            }
            bothAccept++;
            PortConfig c = spec!.Config ?? new PortConfig();
            string mine = string.Join('\t', "OK", spec.RequestName, (uint)spec.Mode, spec.RingId, (ulong)spec.Flags, spec.MemoryId,
                c.TxRings ?? 0, c.RxRings ?? 0, c.HostTxRings ?? 0, c.HostRxRings ?? 0, c.TxSlots ?? 0, c.RxSlots ?? 0);
            if (mine != lines[i]) problems.Add($"'{names[i]}': NetmapPS [{mine.Replace('\t', ' ')}] libnetmap [{lines[i].Replace('\t', ' ')}]");
        }
        output.WriteLine($"{names.Count} names: both accept {bothAccept}, both refuse {bothRefuse}, NetmapPS stricter on purpose:");
        foreach (var (rule, count) in strict) output.WriteLine($"  {count,5}  {rule}");
        foreach (string p in problems.Take(40)) output.WriteLine(p);
        Assert.True(bothAccept > names.Count / 5 && bothRefuse > names.Count / 10, "the generator should give plenty of both");
        Assert.True(problems.Count == 0, $"{problems.Count} disagreements with libnetmap, first: " + string.Join(Environment.NewLine, problems.Take(20)));
    }

    private const string Mirror = "/work/.mirror/luigirizzo+netmap/repo";

    /// <summary>A directory holding libnetmap/ and sys/ of netmap's source (NETMAP_SRC, or the lab's netmap-src), or null.</summary>
    private static string? SourceDirectory() =>
        new[] { Environment.GetEnvironmentVariable("NETMAP_SRC"), Path.Combine(Environment.GetEnvironmentVariable("NETMAP_LAB") ?? "/opt/lab", "netmap-src") }
            .FirstOrDefault(d => d is not null && File.Exists(Path.Combine(d, "libnetmap/nmport.c")));

    /// <summary>Why the test cannot run here, or null when it can.</summary>
    internal static string? Missing()
    {
        if (ExternalTool.Find("gcc") is null) return "Skipped: gcc is not installed (apt-get install gcc).";
        if (SourceDirectory() is not null || File.Exists("/opt/lab/lib/libnetmap.a")) return null;
        if (Directory.Exists(Mirror) && ExternalTool.Find("git") is not null && ExternalTool.Find("tar") is not null) return null;
        return "Skipped: libnetmap's source is not on this machine (set NETMAP_SRC to a netmap checkout, or install the lab's netmap-src or /opt/lab/lib/libnetmap.a).";
    }

    /// <summary>Builds the driver against libnetmap's source (NETMAP_SRC, the lab's netmap-src, or a netmap git mirror), else the lab's libnetmap.a.</summary>
    private static string BuildDriver(TempDirectory temp)
    {
        string c = temp.File("driver.c"), exe = temp.File("driver");
        File.WriteAllText(c, Driver);
        string? source = SourceDirectory();
        if (source is null && Directory.Exists(Mirror))
        {
            string archive = temp.File("netmap.tar");
            if (ExternalTool.Run("git", $"--git-dir={Mirror}", "archive", "-o", archive, "HEAD", "libnetmap", "sys").Exit == 0
                && ExternalTool.Run("tar", "-xf", archive, "-C", temp.Path).Exit == 0)
                source = temp.Path;
        }
        (int Exit, string Stdout, string Stderr) built;
        if (source is not null)
        {
            string lib = Path.Combine(source, "libnetmap");
            built = ExternalTool.Run("gcc", ["-O1", "-w", "-I", Path.Combine(source, "sys"), "-I", lib, c,
                .. Directory.GetFiles(lib, "*.c"), "-lpthread", "-o", exe]);
        }
        else
        {
            built = ExternalTool.Run("gcc", "-O1", "-w", "-I", "/opt/lab/include", c, "/opt/lab/lib/libnetmap.a", "-lpthread", "-o", exe);
        }
        Assert.True(built.Exit == 0, $"building the libnetmap driver failed: {built.Stderr}");
        return exe;
    }

    private static readonly string[] Ports = ["eth0", "eth1", "p", "a", "b_2", "veth0.5", "x", "enp0s31f6", "averyveryverylongname", "a+b", ".hidden", "é"];
    private static readonly string[] Keys = ["rings", "host_rings", "slots", "tx_rings", "rx-rings", "host-tx-rings", "host_rx_rings", "tx-slots", "rx_slots", "bogus"];
    private static readonly string[] Values = ["1", "2", "4", "512", "65535", "1024", "3", "0", "65536", "12k", "x", ""];
    private const string Alphabet = "-^*/@{}:=,xzrtRT0123456789ab_.";

    /// <summary>Names built from the grammar's parts, mostly legal, some with a part wrong, some with a random edit.</summary>
    private static List<string> Names(Random random, int count)
    {
        var names = new List<string>(count);
        while (names.Count < count)
        {
            var n = new StringBuilder();
            n.Append(Pick(random, ["netmap:", "netmap:", "netmap:", "netmap:", "vale0:", "vale:", "valeX_1:", "netma:", "vale-1:", "netmapx:", ""]));
            n.Append(random.Next(5) == 0 ? Pick(random, Ports) : Pick(random, Ports.Take(5).ToArray()));
            if (random.Next(4) == 0) n.Append(Pick(random, ["{", "}"])).Append(Pick(random, ["1", "a", "pipe_7", "", "a.b"]));
            n.Append(Pick(random, ["", "", "", "-0", "-1", "-7", "-4094", "-4095", "-99999", "^", "^0", "^3", "*", "-"]));
            int groups = random.Next(3);
            for (int g = 0; g < groups; g++)
            {
                if (random.Next(2) == 0)
                    n.Append('/').Append(new string(Enumerable.Range(0, random.Next(0, 4)).Select(_ => "xztrRTq"[random.Next(random.Next(8) == 0 ? 7 : 6)]).ToArray()));
                if (random.Next(2) == 0) n.Append('@').Append(Pick(random, ["1", "2", "2", "65535", "0", "70000"]));
            }
            int options = random.Next(4) == 0 ? random.Next(1, 4) : 0;
            for (int o = 0; o < options; o++)
            {
                if (random.Next(10) == 0) { n.Append(Pick(random, ["@offset=4", "@nope=1", "@conf", "@", "@conf:"])); continue; }
                n.Append("@conf:");
                var keys = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(random, Keys)).ToList();
                n.Append(string.Join(',', keys.Select(k => random.Next(20) == 0 ? k : $"{k}={(random.Next(6) == 0 ? Pick(random, Values) : Pick(random, Values.Take(6).ToArray()))}")));
            }
            string name = n.ToString();
            if (random.Next(7) == 0)
            {
                var edit = new StringBuilder(name);
                int at = random.Next(edit.Length + 1);
                char c = Alphabet[random.Next(Alphabet.Length)];
                switch (random.Next(3))
                {
                    case 0: edit.Insert(at, c); break;
                    case 1: if (at < edit.Length) edit.Remove(at, 1); break;
                    default: if (at < edit.Length) edit[at] = c; break;
                }
                name = edit.ToString();
            }
            names.Add(name);
        }
        return names;
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}

/// <summary>A fact skipped, with a message saying what is missing, where gcc or libnetmap's source is not here.</summary>
public sealed class LibnetmapFactAttribute : FactAttribute
{
    public LibnetmapFactAttribute() => Skip = PortNameLibnetmapAgreementTests.Missing();
}
