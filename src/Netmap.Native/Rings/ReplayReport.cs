namespace Netmap.Native.Rings;

/// <summary>What a replay sent (Send-NetmapPacket -Replay -Summary), with how its timing held: nmreplay's figures as an object.</summary>
/// <param name="Frames">Frames sent, over every pass.</param>
/// <param name="Loops">Passes over the capture completed.</param>
/// <param name="CaptureSeconds">The capture's span, first to last frame, as recorded.</param>
/// <param name="ScheduledSeconds">When the last frame sent was due, after the first: what the replay should take.</param>
/// <param name="Seconds">What it took, from the first frame to the end.</param>
/// <param name="MeanLateness">Seconds after its due time a frame left, on average.</param>
/// <param name="MaxLateness">The latest a frame left after its due time, in seconds.</param>
public sealed record ReplayReport(string Port, long Frames, long Bytes, long Loops, double CaptureSeconds, double ScheduledSeconds, double Seconds,
    double MeanLateness, double MaxLateness)
{
    /// <summary>Frames whose timestamp went back in the capture (sent at once, after the frame before them).</summary>
    public int Backwards { get; init; }

    /// <summary>Two lines: what was sent, and how the timing held.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"Replayed {Frames} frames {Bytes} bytes in {Loops} loop{(Loops == 1 ? "" : "s")} on {Port}: {Seconds:F3} s for a schedule of {ScheduledSeconds:F3} s (capture: {CaptureSeconds:F3} s).") +
        Environment.NewLine +
        FormattableString.Invariant($"Late by {MeanLateness * 1e6:F1} us on average, {MaxLateness * 1e6:F1} us at most.") +
        (Backwards > 0 ? FormattableString.Invariant($" {Backwards} timestamps went back in the capture (those frames were sent at once).") : "");
}
