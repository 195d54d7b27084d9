using Netmap.Native.Rings;
using System.Runtime.InteropServices;
using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>
/// A wake-up word in shared memory: producers bump <see cref="Sequence"/> after they publish, and wake
/// sleepers only when some are registered, so a busy ring pays no system call.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SharedEvent
{
    public int Sequence;
    public int Waiters;

    /// <summary>Tells sleepers that something changed.</summary>
    public static unsafe void Signal(SharedEvent* e)
    {
        Interlocked.Increment(ref e->Sequence);
        if (Volatile.Read(ref e->Waiters) > 0) Futex.WakeAll(&e->Sequence);
    }

    /// <summary>
    /// Waits until <paramref name="ready"/> holds or <paramref name="timeoutMs"/> passes: a short spin, then
    /// futex sleeps of at most <paramref name="sliceMs"/> so that cancellation is seen promptly.
    /// <paramref name="whenIdle"/> runs before sleeping again after a whole slice passed with no signal
    /// (it may throw to end the wait: a peer gone); a busy ring never pays for it.
    /// </summary>
    public static unsafe bool WaitUntil(SharedEvent* e, Func<bool> ready, int timeoutMs, CancellationToken cancel, Action? whenIdle = null, int sliceMs = 50)
    {
        var spin = new SpinWait();
        for (int i = 0; i < 20; i++)
        {
            if (ready()) return true;
            spin.SpinOnce(sleep1Threshold: -1);
        }
        long deadline = Deadline.AfterMs(timeoutMs);
        bool idle = false;
        while (true)
        {
            Interlocked.Increment(ref e->Waiters);
            try
            {
                int seen = Volatile.Read(ref e->Sequence);
                if (ready()) return true;
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || cancel.IsCancellationRequested) return false;
                if (idle) whenIdle?.Invoke();
                Futex.Wait(&e->Sequence, seen, (int)Math.Min(left, sliceMs));
                idle = Volatile.Read(ref e->Sequence) == seen;
            }
            finally
            {
                Interlocked.Decrement(ref e->Waiters);
            }
        }
    }
}
