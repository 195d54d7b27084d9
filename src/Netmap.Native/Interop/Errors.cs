namespace Netmap.Native.Interop;

/// <summary>Turns a failed system call into an exception that names the call and the reason.</summary>
internal static class Errors
{
    public static NetmapException FromErrno(string call, int errno, string? context = null) =>
        new(NetmapError.SystemCall, $"{call} failed: {LibC.Describe(errno)} (errno {errno}){(context is null ? "" : $" {context}")}.")
        { Errno = errno };

    /// <summary>
    /// How to get capabilities: root, or setcap on the file this process runs, named. Under 'dotnet
    /// pwsh' that file is the shared .NET host, which every .NET program runs under: say so.
    /// </summary>
    public static string CapabilityHint(string capabilities)
    {
        string program = Environment.ProcessPath ?? "the program that runs PowerShell";
        bool sharedHost = Path.GetFileNameWithoutExtension(program) == "dotnet";
        return $"run as root, or grant the capabilities to the program file: 'setcap {capabilities}+ep {program}'" +
               (sharedHost ? $" ({program} is the .NET host that every .NET program here runs under, so all of them would get the capabilities: prefer root, or a copy of the host kept for NetmapPS)" : "");
    }
}
