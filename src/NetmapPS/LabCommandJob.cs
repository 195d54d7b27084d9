using System.Management.Automation;

namespace NetmapPS;

/// <summary>Invoke-NetmapLabCommand -AsJob: the command runs on; its output arrives when it ends.</summary>
internal sealed class LabCommandJob : Job
{
    private readonly LabCommand _command;
    private readonly Timer? _timer;
    private int _finished;
    private string _status = "running";

    public LabCommandJob(LabCommand command, string text, double timeoutSeconds) : base(text, "NetmapLab")
    {
        _command = command;
        PSJobTypeName = "NetmapLabCommand";
        SetJobState(JobState.Running);
        command.Process.EnableRaisingEvents = true;
        command.Process.Exited += (_, _) => Finish(JobState.Completed);
        if (timeoutSeconds > 0) _timer = new Timer(_ => StopJob(), null, (int)(timeoutSeconds * 1000), Timeout.Infinite);
        if (command.Process.HasExited) Finish(JobState.Completed);
    }

    public override string StatusMessage => _status;

    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0;

    public override string Location => "lab";

    public override void StopJob()
    {
        _command.Stop();
        Finish(JobState.Stopped);
    }

    private void Finish(JobState state)
    {
        if (Interlocked.Exchange(ref _finished, 1) == 1) return;
        _timer?.Dispose();
        try
        {
            _status = state == JobState.Stopped ? "stopped" : $"exit code {_command.Process.ExitCode}";
            if (state == JobState.Completed)
            {
                var (output, errors, failed, messages) = _command.Result();
                foreach (var m in messages)
                    if (m[0] == 'W') Warning.Add(new WarningRecord(m[1..]));
                    else if (m[0] == 'I') Information.Add(new InformationRecord(new HostInformationMessage { Message = m[1..] }, "lab"));
                    else Verbose.Add(new VerboseRecord(m[1..]));
                foreach (var o in output) if (o is not null) Output.Add(PSObject.AsPSObject(o));
                foreach (var e in errors)
                    Error.Add(LabCommand.Error(e, _command.IsScript, null));
                if (failed || (!_command.IsScript && _command.Process.ExitCode != 0)) state = JobState.Failed;
            }
        }
        finally
        {
            _command.Dispose();
            SetJobState(state);
        }
    }
}
