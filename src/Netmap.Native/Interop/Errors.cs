namespace Netmap.Native.Interop;

/// <summary>Turns a failed system call into an exception that names the call and the reason.</summary>
internal static class Errors
{
    public static NetmapException FromErrno(string call, int errno, string? context = null) =>
        new(NetmapError.SystemCall, $"{call} failed: {LibC.Describe(errno)} (errno {errno}){(context is null ? "" : $" {context}")}.")
        { Errno = errno };
}
