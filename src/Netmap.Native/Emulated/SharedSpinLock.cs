using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>
/// A spin lock on a word in shared memory holding the owner's pid. Critical sections are a few
/// slot copies long; a lock whose owner died is taken over.
/// </summary>
internal static unsafe class SharedSpinLock
{
    private static readonly int Self = LibC.GetPid();

    public static void Enter(int* word)
    {
        var spin = new SpinWait();
        for (int round = 1; ; round++)
        {
            int owner = Interlocked.CompareExchange(ref *word, Self, 0);
            if (owner == 0) return;
            if (round % 4096 == 0 && owner != Self && !LibC.ProcessExists(owner)
                && Interlocked.CompareExchange(ref *word, Self, owner) == owner) return;
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    public static void Exit(int* word) => Volatile.Write(ref *word, 0);
}
