using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace NetmapPS;

/// <summary>
/// A command run inside a lab host (ip netns exec): a native program, or a child pwsh that loads
/// NetmapPS, runs a script block and hands its output back serialized (CLIXML in a temporary file).
/// </summary>
internal sealed class LabCommand : IDisposable
{
    private const int Depth = 5;   // the output array sits two levels down: user objects keep 3
    private readonly string? _inputFile, _outputFile;
    private readonly Task<string> _stdout, _stderr;
    private readonly string _what;

    private LabCommand(IEnumerable<string> command, string what, string? inputFile, string? outputFile)
    {
        _what = what;
        _inputFile = inputFile;
        _outputFile = outputFile;
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in command) info.ArgumentList.Add(a);
        Process = Process.Start(info)!;
        Process.StandardInput.Close();
        _stdout = Process.StandardOutput.ReadToEndAsync();
        _stderr = Process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    public bool IsScript => _outputFile is not null;

    /// <summary>Starts a child pwsh in the namespace that runs the script block with the arguments; $using: variables are taken from <paramref name="state"/>.</summary>
    public static LabCommand StartScript(string ns, int? cpu, ScriptBlock script, object[] arguments, SessionState state, string pwsh, string modulePath)
    {
        var (text, usings) = WithUsingValues(script, state);
        RemoveLeftovers();
        var stem = Path.Combine(Path.GetTempPath(), $"{FilePrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        var input = new Hashtable { ["Script"] = text, ["Arguments"] = arguments, ["Using"] = usings };
        File.WriteAllText(stem + ".in.xml", PSSerializer.Serialize(input, Depth));
        var bootstrap = $$"""
            $ProgressPreference = 'SilentlyContinue'
            Import-Module '{{Quote(modulePath)}}'
            $__nmlab = [Management.Automation.PSSerializer]::Deserialize([IO.File]::ReadAllText('{{Quote(stem)}}.in.xml'))
            foreach ($__u in $__nmlab.Using.GetEnumerator()) { Set-Variable -Name $__u.Key -Value $__u.Value }
            $__out = [Collections.Generic.List[object]]::new(); $__err = [Collections.Generic.List[string]]::new(); $__failed = $false
            $__messages = [Collections.Generic.List[string]]::new()
            $__args = @($__nmlab.Arguments)
            try {
                & ([scriptblock]::Create($__nmlab.Script)) @__args *>&1 | ForEach-Object {
                    if ($_ -is [Management.Automation.ErrorRecord]) { $__err.Add("$_") }
                    elseif ($_ -is [Management.Automation.WarningRecord]) { $__messages.Add("W$_") }
                    elseif ($_ -is [Management.Automation.VerboseRecord]) { $__messages.Add("V$_") }
                    elseif ($_ -is [Management.Automation.DebugRecord]) { $__messages.Add("D$_") }
                    elseif ($_ -is [Management.Automation.InformationRecord]) { $__messages.Add("I$_") }
                    else { $__out.Add($_) }
                }
            }
            catch { $__err.Add("$_"); $__failed = $true }
            [IO.File]::WriteAllText('{{Quote(stem)}}.out.xml', [Management.Automation.PSSerializer]::Serialize([object[]]@($__out.ToArray(), $__err.ToArray(), $__failed, $__messages.ToArray()), {{Depth}}))
            """;
        var encoded = Convert.ToBase64String(Encoding.Unicode.GetBytes(bootstrap));
        var command = Prefix(ns, cpu).Concat(new[] { pwsh, "-NoProfile", "-NonInteractive", "-EncodedCommand", encoded });
        return new LabCommand(command, "the script block", stem + ".in.xml", stem + ".out.xml");
    }

    /// <summary>Starts a native program in the namespace.</summary>
    public static LabCommand StartNative(string ns, int? cpu, string file, object[] arguments) =>
        new(Prefix(ns, cpu).Append(file).Concat(arguments.Select(a => LanguagePrimitives.ConvertTo<string>(a))), $"'{file}'", null, null);

    private const string FilePrefix = "nmlab-cmd-";

    /// <summary>Deletes the temporary files of commands whose process was killed before it could.</summary>
    public static void RemoveLeftovers()
    {
        foreach (var file in Directory.EnumerateFiles(Path.GetTempPath(), FilePrefix + "*.xml"))
        {
            var pid = Path.GetFileName(file)[FilePrefix.Length..].Split('-')[0];
            if (int.TryParse(pid, out var id) && id != Environment.ProcessId && !ProcessExists(id))
                try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static bool ProcessExists(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static IEnumerable<string> Prefix(string ns, int? cpu) =>
        new[] { "netns", "exec", ns }.Concat(cpu is { } c ? new[] { "taskset", "-c", c.ToString() } : Array.Empty<string>());

    private static string Quote(string text) => text.Replace("'", "''");

    // $using:name becomes $__using_N, set in the child from the value the variable has here.
    private static (string Text, Hashtable Values) WithUsingValues(ScriptBlock script, SessionState state)
    {
        var body = (ScriptBlockAst)script.Ast;
        var text = body.Extent.Text;
        var start = body.Extent.StartOffset;
        var values = new Hashtable(StringComparer.OrdinalIgnoreCase);
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var usings = body.FindAll(a => a is UsingExpressionAst, true).Cast<UsingExpressionAst>().OrderByDescending(u => u.Extent.StartOffset);
        foreach (var u in usings)
        {
            // '$using:lab', '$using:lab.Hosts[0]' or '@using:parameters': the variable's value goes over, the rest is evaluated in the child.
            if (u.Find(a => a is VariableExpressionAst, true) is not VariableExpressionAst v)
                throw new ArgumentException(Words.Format(Strings.LabUsingNoVariable, u.Extent.Text));
            var name = v.VariablePath.UserPath;
            if (!names.TryGetValue(name, out var local))
            {
                local = $"__using_{names.Count}";
                names[name] = local;
                values[local] = state.PSVariable.GetValue(name);
            }
            var rest = u.Extent.Text[(v.Extent.EndOffset - u.Extent.StartOffset)..];
            text = text[..(u.Extent.StartOffset - start)] + (v.Splatted ? "@" : "$") + local + rest + text[(u.Extent.EndOffset - start)..];
        }
        // The extent of a script block literal or a function body includes its braces.
        if (body.Parent is not null && text.StartsWith('{') && text.EndsWith('}')) text = text[1..^1];
        return (text, values);
    }

    /// <summary>
    /// What the command gave: output objects, error messages, whether it failed, and its other
    /// messages, each led by its kind: W (warning), V (verbose), D (debug), I (information, Write-Host),
    /// T (a native program's standard error, or text the child wrote outside the streams).
    /// </summary>
    public (List<object?> Output, List<string> Errors, bool Failed, List<string> Messages) Result()
    {
        Process.WaitForExit();
        var stdout = _stdout.Result;
        var stderr = _stderr.Result.Trim();
        var output = new List<object?>();
        var errors = new List<string>();
        if (!IsScript)
        {
            output.AddRange(stdout.Split('\n').Select(l => l.TrimEnd('\r')).SkipLast(stdout.EndsWith('\n') ? 1 : 0).Where(_ => stdout.Length > 0));
            if (Process.ExitCode != 0)
                errors.Add($"{_what} exited with code {Process.ExitCode}{(stderr.Length > 0 ? ": " + stderr : ".")}");
            return (output, errors, false, Process.ExitCode == 0 ? Lines("T", stderr) : new List<string>());
        }
        if (!File.Exists(_outputFile))
        {
            errors.Add($"The child pwsh in the lab host ended (exit code {Process.ExitCode}) without running {_what}: {stderr}");
            return (output, errors, true, Lines("T", stdout));
        }
        var parts = Items(PSSerializer.Deserialize(File.ReadAllText(_outputFile!))).ToArray();
        foreach (var o in Items(parts[0])) output.Add(o);
        foreach (var e in Items(parts[1])) errors.Add(e?.ToString() ?? "");
        if (stderr.Length > 0) errors.Add(stderr);
        var messages = Items(parts.Length > 3 ? parts[3] : null).Select(m => m?.ToString() ?? "").ToList();
        messages.AddRange(Lines("T", stdout));
        return (output, errors, LanguagePrimitives.IsTrue(parts[2]), messages);
    }

    private static List<string> Lines(string kind, string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => kind + l.TrimEnd('\r')).ToList();

    private static IEnumerable<object?> Items(object? value) => value switch
    {
        PSObject { BaseObject: IEnumerable e } when e is not string => e.Cast<object?>(),
        IEnumerable e when e is not string => e.Cast<object?>(),
        null => Enumerable.Empty<object?>(),
        _ => new[] { value },
    };

    /// <summary>An error the command reported: from a script block, or a native program's failure.</summary>
    public static ErrorRecord Error(string message, bool script, object? target) => script
        ? ErrorRecords.Create(new RemoteException(message), ErrorId.LabCommandError, target)
        : ErrorRecords.Create(new RemoteException(message), ErrorId.NativeCommandFailed, target);

    public void Stop()
    {
        try { if (!Process.HasExited) Process.Kill(true); } catch (InvalidOperationException) { }
    }

    public void Dispose()
    {
        Stop();
        Process.Dispose();
        foreach (var f in new[] { _inputFile, _outputFile })
            if (f is not null) try { File.Delete(f); } catch (IOException) { }
    }
}
