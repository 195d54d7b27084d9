namespace Netmap.Native.Ports;

/// <summary>Counters of a port over its life: what the receive loops looked at, kept and handed on.</summary>
public sealed class PortStatistics
{
    private long _seen, _matched, _received, _sent;

    /// <summary>Frames the receive loops looked at (and ran the filter on).</summary>
    public long Seen => Interlocked.Read(ref _seen);
    /// <summary>Frames that passed the filter.</summary>
    public long Matched => Interlocked.Read(ref _matched);
    /// <summary>Frames handed on to the consumer (the pipeline).</summary>
    public long Received => Interlocked.Read(ref _received);
    /// <summary>Frames transmitted.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    public void AddReceive(long seen, long matched, long received)
    {
        Interlocked.Add(ref _seen, seen);
        Interlocked.Add(ref _matched, matched);
        Interlocked.Add(ref _received, received);
    }

    public void AddSent(long sent) => Interlocked.Add(ref _sent, sent);

    public override string ToString() => $"seen {Seen}, matched {Matched}, received {Received}, sent {Sent}";
}
