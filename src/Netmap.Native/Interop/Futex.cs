using System.Runtime.InteropServices;

namespace Netmap.Native.Interop;

/// <summary>futex(2) on a word in a shared mapping: sleeping and waking across processes.</summary>
internal static unsafe class Futex
{
    private const int FUTEX_WAIT = 0, FUTEX_WAKE = 1;

    private static readonly long SysFutex = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        _ => throw new PlatformNotSupportedException("futex: only x64 and arm64 are supported"),
    };

    /// <summary>Sleeps while *<paramref name="word"/> equals <paramref name="expected"/>, at most <paramref name="timeoutMs"/>.</summary>
    public static void Wait(int* word, int expected, int timeoutMs)
    {
        long* ts = stackalloc long[2];
        ts[0] = timeoutMs / 1000;
        ts[1] = (timeoutMs % 1000) * 1_000_000L;
        LibC.Syscall6(SysFutex, (nint)word, FUTEX_WAIT, expected, (nint)ts, 0, 0);
        // EAGAIN (value changed), ETIMEDOUT and EINTR all mean: look again.
    }

    /// <summary>Wakes every process sleeping on <paramref name="word"/>.</summary>
    public static void WakeAll(int* word) => LibC.Syscall6(SysFutex, (nint)word, FUTEX_WAKE, int.MaxValue, 0, 0, 0);
}
