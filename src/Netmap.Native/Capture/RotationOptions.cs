namespace Netmap.Native.Capture;

/// <summary>The limits of a <see cref="RotatingCaptureWriter"/>: tcpdump's <c>-C -W -G -s</c>. Zero means no limit.</summary>
public sealed record RotationOptions
{
    /// <summary>A new file when the next packet would make the current one larger than this many bytes (tcpdump -C, in bytes rather than millions).</summary>
    public long MaxFileBytes { get; init; }

    /// <summary>With <see cref="MaxFileBytes"/>: a ring of this many files, the oldest overwritten. With only <see cref="RotateInterval"/>: stop after this many files (tcpdump -W).</summary>
    public int MaxFiles { get; init; }

    /// <summary>A new file when the current one is this old as a packet arrives (tcpdump -G).</summary>
    public TimeSpan RotateInterval { get; init; }

    /// <summary>Packets longer than this are cut to it, their original length kept (tcpdump -s).</summary>
    public int SnapLength { get; init; } = CaptureWriter.DefaultSnapLength;

    /// <exception cref="NetmapException">A limit is out of range, or MaxFiles without a size limit or interval (InvalidRequest).</exception>
    internal void Validate()
    {
        if (MaxFileBytes < 0 || MaxFiles < 0 || RotateInterval < TimeSpan.Zero || SnapLength <= 0)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"Rotation limits cannot be negative (MaxFileBytes {MaxFileBytes}, MaxFiles {MaxFiles}, RotateInterval {RotateInterval}) and the snap length must be positive ({SnapLength}).");
        if (MaxFiles > 0 && MaxFileBytes == 0 && RotateInterval == TimeSpan.Zero)
            throw new NetmapException(NetmapError.InvalidRequest,
                "A number of files needs a size limit (a ring of files) or a rotation interval (stop after that many files), as tcpdump's -W needs -C or -G.");
    }
}
