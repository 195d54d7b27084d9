using System.Diagnostics;

namespace Netmap.Native.Emulated;

/// <summary>
/// Adaptive interrupt moderation for a receiver in user space (what ethtool's adaptive-rx does on a NIC):
/// how long to let frames gather before an rxsync. At low rates 100 us after a wake-up, so that a ping
/// waits little; under load the time in which about <see cref="BatchTarget"/> frames arrive at the rate
/// measured, up to 2 ms, so that a flood is taken in batches of thousands with one sleep each (the rings of an
/// interface port hold 4096 slots: a batch must fit what one wake-up can move, or the sleeps cap the rate). Each
/// wake-up costs more than the frames it brings here (perf of a flood: 42 % of the receiver's samples in
/// the hypervisor's wake-up path), and TPACKET_V3 wakes tcpdump once per block for the same reason.
/// </summary>
internal sealed class RxCoalescing
{
    public const uint MinMicroseconds = 100, MaxMicroseconds = 2000, BatchTarget = 2048;
    private const double WindowMicroseconds = 1000;
    private double _framesPerMicrosecond;
    private long _windowStart = Stopwatch.GetTimestamp(), _windowFrames;

    /// <summary>Counts the frames a sync brought, at <paramref name="now"/> (a Stopwatch timestamp); the rate is measured over windows of 1 ms or more.</summary>
    public void Count(long frames, long now)
    {
        _windowFrames += frames;
        double elapsed = (now - _windowStart) * 1e6 / Stopwatch.Frequency;
        if (elapsed < WindowMicroseconds) return;
        double rate = _windowFrames / elapsed;
        _framesPerMicrosecond = _framesPerMicrosecond == 0 || rate == 0 ? rate : (_framesPerMicrosecond + rate) / 2;
        _windowStart = now;
        _windowFrames = 0;
    }

    /// <summary>Below this rate (frames per microsecond: 64,000 a second) the receiver is not flooded and waits the least.</summary>
    private const double TrickleFramesPerMicrosecond = 0.064;

    /// <summary>
    /// How long to gather frames: the time <see cref="BatchTarget"/> frames take at the measured rate, within
    /// [100 us, 2 ms]; 100 us below 64,000 frames a second (a trickle, where waiting buys nothing).
    /// </summary>
    public uint Microseconds
    {
        get
        {
            if (_framesPerMicrosecond < TrickleFramesPerMicrosecond) return MinMicroseconds;
            return (uint)Math.Clamp(BatchTarget / _framesPerMicrosecond, MinMicroseconds, MaxMicroseconds);
        }
    }

    /// <summary>True under load: sleep and sync instead of poll(), and let a small batch grow before handing it over.</summary>
    public bool Flooding => Microseconds > MinMicroseconds;
}
