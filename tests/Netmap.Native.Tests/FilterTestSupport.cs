using System.Buffers.Binary;
using System.Diagnostics;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>Runs the command-line tools the filter and capture tests compare against.</summary>
internal static class ExternalTool
{
    /// <summary>The tool's full path on PATH, or null when it is not installed.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs a tool to completion (one minute at most) and returns its exit code and output.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(Find(tool) ?? throw new InvalidOperationException($"{tool} is not installed."))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish in a minute.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A fact skipped, with a message saying what to install, when one of the tools is missing.</summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(params string[] tools)
    {
        string[] missing = tools.Where(tool => ExternalTool.Find(tool) is null).ToArray();
        if (missing.Length > 0)
            Skip = $"Skipped: {string.Join(", ", missing)} not installed (apt-get install tcpdump tshark libpcap0.8).";
    }
}

/// <summary>A temporary directory removed at the end of a test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"netmapps-test-{Guid.NewGuid():N}");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
