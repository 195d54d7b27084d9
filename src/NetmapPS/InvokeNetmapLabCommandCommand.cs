using System.Management.Automation;
using Netmap.Native.Lab;

namespace NetmapPS;

/// <summary>
/// Runs a script block (in a child pwsh with NetmapPS loaded) or a native program inside a lab host's
/// network namespace, and returns its output: objects come back serialized, as from a remote session.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "NetmapLabCommand", DefaultParameterSetName = "ScriptBlock", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PSObject), typeof(string), typeof(Job))]
public sealed class InvokeNetmapLabCommandCommand : PSCmdlet
{
    private LabCommand? _running;

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public NetmapLab Lab { get; set; } = null!;

    /// <summary>The host to run in (its name, as in the lab's links).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Host")]
    [ValidateNotNullOrEmpty]
    public string HostName { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = "ScriptBlock")]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>A native program to run instead of a script block.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Native")]
    [ValidateNotNullOrEmpty]
    public string FilePath { get; set; } = "";

    [Parameter]
    [Alias("Args")]
    public object[] ArgumentList { get; set; } = Array.Empty<object>();

    /// <summary>Run pinned to this CPU (taskset): with several queues, a veth sends what CPU n transmits on queue n.</summary>
    [Parameter]
    [ValidateRange(0, 1023)]
    public int? Cpu { get; set; }

    /// <summary>Stop the command after this many seconds.</summary>
    [Parameter]
    [ValidateRange(0.1, double.MaxValue)]
    public double Timeout { get; set; } = -1;

    /// <summary>Run in the background: returns a job (Receive-Job, Wait-Job, Stop-Job).</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    protected override void ProcessRecord()
    {
        if (Lab.IsRemoved)
        {
            WriteError(ErrorRecords.Create(new InvalidOperationException(Words.Format(Strings.LabRemoved, Lab.Name)), ErrorId.LabRemoved, Lab));
            return;
        }
        var host = Lab[HostName];
        if (host is null)
        {
            WriteError(ErrorRecords.Create(new ItemNotFoundException(Words.Format(Strings.LabHostNotFound, Lab.Name, HostName, string.Join(", ", Lab.Hosts.Select(h => h.Name)))), ErrorId.LabHostNotFound, HostName));
            return;
        }
        var action = ParameterSetName == "Native" ? Words.Format(Strings.LabRunFileAction, FilePath) : Strings.LabRunScriptAction;
        if (!ShouldProcess(Words.Format(Strings.LabHostTarget, host.Name, host.Namespace), action)) return;
        LabCommand command;
        try
        {
            command = ParameterSetName == "Native"
                ? LabCommand.StartNative(host.Namespace, Cpu, FilePath, ArgumentList)
                : LabCommand.StartScript(host.Namespace, Cpu, ScriptBlock, ArgumentList, SessionState, Pwsh(), ModulePath());
        }
        catch (ArgumentException e)
        {
            WriteError(ErrorRecords.Create(e, ErrorId.InvalidLabCommand, ScriptBlock));
            return;
        }
        if (AsJob)
        {
            var job = new LabCommandJob(command, $"{host.Name}: {(ParameterSetName == "Native" ? FilePath : ScriptBlock.ToString().Trim())}", Timeout);
            JobRepository.Add(job);
            WriteObject(job);
            return;
        }
        using (command)
        {
            _running = command;
            if (!command.Process.WaitForExit(Timeout > 0 ? (int)(Timeout * 1000) : -1))
            {
                command.Stop();
                WriteError(ErrorRecords.Create(new TimeoutException(Words.Format(Strings.LabCommandTimeout, host.Name, Timeout)), ErrorId.LabCommandTimeout, host.Name));
                return;
            }
            var (output, errors, failed, messages) = command.Result();
            if (!command.IsScript) SessionState.PSVariable.Set("global:LASTEXITCODE", command.Process.ExitCode);
            foreach (var m in messages)
            {
                var text = $"[{host.Name}] {m[1..]}";
                switch (m[0])
                {
                    case 'W': WriteWarning(text); break;
                    case 'D': WriteDebug(text); break;
                    case 'I': WriteInformation(new HostInformationMessage { Message = text }, new[] { "PSHOST" }); break;
                    default: WriteVerbose(text); break;
                }
            }
            foreach (var o in output) WriteObject(o);
            for (var i = 0; i < errors.Count; i++)
            {
                var record = LabCommand.Error($"[{host.Name}] {errors[i]}", command.IsScript, host.Name);
                if (failed && i == errors.Count - 1) ThrowTerminatingError(record);
                WriteError(record);
            }
        }
    }

    protected override void StopProcessing() => _running?.Stop();

    private string Pwsh()
    {
        var home = SessionState.PSVariable.GetValue("PSHOME") as string ?? "";
        var path = Path.Combine(home, OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");
        return File.Exists(path) ? path : "pwsh";
    }

    private string ModulePath()
    {
        var module = MyInvocation.MyCommand.Module;
        var manifest = Path.Combine(module?.ModuleBase ?? Path.GetDirectoryName(typeof(InvokeNetmapLabCommandCommand).Assembly.Location)!, "NetmapPS.psd1");
        return File.Exists(manifest) ? manifest : typeof(InvokeNetmapLabCommandCommand).Assembly.Location;
    }
}
