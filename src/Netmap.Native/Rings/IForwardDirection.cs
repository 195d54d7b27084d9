using Netmap.Native.Ports;

namespace Netmap.Native.Rings;

/// <summary>One direction of a <see cref="ForwardSession"/>: a plain <see cref="Forwarder"/> or an emulated link (<see cref="LinkEmulator"/>).</summary>
public interface IForwardDirection
{
    NetmapPort From { get; }
    NetmapPort To { get; }
    /// <summary>The TX ring of <see cref="To"/> it fills.</summary>
    uint TxRing { get; }
    bool ZeroCopy { get; }
    /// <summary>Frames taken from the RX rings and handed on: what -Count counts.</summary>
    long Taken { get; }
    /// <summary>True while it holds frames still to send (an emulated link's delay line).</summary>
    bool Holding { get; }
    /// <summary>Moves what is there (at most <paramref name="budget"/> frames taken, 0: only send what it holds), waiting up to <paramref name="timeoutMs"/> when nothing moved.</summary>
    long Run(long budget, int timeoutMs, CancellationToken cancel = default);
    /// <summary>The longest another direction may wait (at most <paramref name="cap"/> ms) without this one sending late.</summary>
    int WaitLimitMs(int cap);
    /// <summary>Ends: syncs the TX ring until what was sent has gone, or <paramref name="timeoutMs"/>.</summary>
    bool Flush(int timeoutMs, CancellationToken cancel = default);
    ForwardReport Report(double seconds);
}
