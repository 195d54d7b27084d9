using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>
/// A spin lock on a word in a shared region, for the producers that write into one RX ring (switch
/// ports, monitors). The word holds the holder index + 1 of the registration that took it, not a
/// pid: whether that holder is alive is its OFD lock on the region file, which the kernel drops when
/// the process dies, whatever its pid or pid namespace. A dead owner's lock is taken over. A live
/// owner keeps it for a few slot copies; a wait longer than the bound (a stopped or stuck process,
/// or garbage written into the word) gives up instead of spinning forever, and so does a cancelled one.
/// </summary>
internal static unsafe class SharedSpinLock
{
    /// <summary>How long a frame delivery waits before it counts the frame as dropped.</summary>
    public const int DeliveryBoundMs = 200;
    /// <summary>How long an open waits before it fails with Busy.</summary>
    public const int OpenBoundMs = 2000;

    /// <summary>
    /// Takes the lock for <paramref name="holder"/> (this process's registration in <paramref name="region"/>).
    /// False when it stayed held by a live holder for <paramref name="boundMs"/> or the wait was cancelled.
    /// </summary>
    public static bool TryEnter(int* word, SharedRegion region, int holder, int boundMs, CancellationToken cancel = default)
    {
        int self = holder + 1;
        var spin = new SpinWait();
        long deadline = 0;
        for (int round = 1; ; round++)
        {
            int owner = Interlocked.CompareExchange(ref *word, self, 0);
            if (owner == 0) return true;
            if (round % 1024 == 0)
            {
                // A value that is no holder (garbage) or a holder whose process died: take it over.
                if ((owner < 1 || owner > RegionLayout.MaxHolders || !region.IsHolderLockHeld(owner - 1))
                    && Interlocked.CompareExchange(ref *word, self, owner) == owner) return true;
                long now = Environment.TickCount64;
                if (deadline == 0) deadline = now + boundMs;
                else if (now >= deadline || cancel.IsCancellationRequested) return false;
            }
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>As <see cref="TryEnter"/>, for an open: a lock that stays held is a Busy error that says what to do.</summary>
    public static void Enter(int* word, SharedRegion region, int holder, CancellationToken cancel)
    {
        if (TryEnter(word, region, holder, OpenBoundMs, cancel)) return;
        cancel.ThrowIfCancellationRequested();
        int owner = Volatile.Read(ref *word);
        throw new NetmapException(NetmapError.Busy,
            $"A ring of the shared region '{region.Path}' has been locked by another open port (holder {owner - 1}) for over {OpenBoundMs / 1000} s: " +
            "its process is stopped or stuck. Resume or end that process, then open again.") { Remedy = NetmapRemedy.ShowRegionHolders };
    }

    public static void Exit(int* word) => Volatile.Write(ref *word, 0);
}
