using System.Diagnostics;
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

    /// <summary>How long a wait polls before it sleeps.</summary>
    private const long SpinMicroseconds = 50;

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
        // A peer that is running answers within microseconds: poll for up to SpinMicroseconds before
        // paying for a futex sleep and the wake-up the peer then has to make. Between polls the thread
        // yields (sched_yield, as the C reference does) rather than spinning on PAUSE: under a
        // hypervisor a PAUSE loop can cost the virtual CPU its slice, and the poll is a sync already.
        if (timeoutMs == 0) return ready(); // a poll: one look, no clock, no registration as a waiter
        long spinUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency * Math.Min(SpinMicroseconds, timeoutMs < 0 ? long.MaxValue : timeoutMs * 1000L) / 1_000_000;
        while (true)
        {
            if (ready()) return true;
            if (Stopwatch.GetTimestamp() > spinUntil || cancel.IsCancellationRequested) break;
            Thread.Yield();
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
