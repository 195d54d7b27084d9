using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>
/// How a receive loop waits when its RX rings are empty. By default it sleeps in the driver's wait
/// (poll(2) on /dev/netmap), which also syncs: the slots the loop read go back with it. Busy-waiting
/// (pkt-gen built with BUSYWAIT) makes rxsyncs in a tight loop instead, with no sleep and no wake-up
/// latency, at the price of a core kept at 100 %.
/// </summary>
public readonly struct ReceiveWait(bool busy)
{
    /// <summary>Syncs and waits up to <paramref name="timeoutMs"/> (negative: forever) until an RX ring of <paramref name="port"/> has frames.</summary>
    public bool Until(NetmapPort port, int timeoutMs, CancellationToken cancel)
    {
        if (!busy) return port.Wait(WaitDirection.Receive, timeoutMs, cancel);
        long deadline = Deadline.AfterMs(timeoutMs);
        for (int spins = 0; ; spins++)
        {
            port.RxSync();
            if (HasFrames(port)) return true;
            if ((spins & 63) == 0 && (cancel.IsCancellationRequested || Environment.TickCount64 >= deadline)) return false;
        }
    }

    private static bool HasFrames(NetmapPort port)
    {
        var span = port.RxRings;
        for (uint r = span.First; r < span.End; r++)
            if (!port.RxRing(r).IsEmpty) return true;
        return false;
    }
}
