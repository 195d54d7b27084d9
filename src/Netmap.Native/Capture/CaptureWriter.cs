namespace Netmap.Native.Capture;

/// <summary>
/// Writes packets to a pcapng or pcap file with nanosecond timestamps. Blocks reach the file
/// whole, in batches; after <see cref="Flush"/> or <see cref="Dispose"/> the file is a valid
/// capture that ends with the last packet written. Not thread-safe: one writer per thread.
/// </summary>
public abstract class CaptureWriter : IDisposable
{
    /// <summary>The snap length tcpdump uses by default.</summary>
    public const int DefaultSnapLength = 262144;

    private readonly List<(int LinkType, int SnapLength)> _interfaces = [];
    private bool _disposed;

    private protected CaptureWriter(Stream stream, bool leaveOpen) => Output = new BlockOutput(stream, leaveOpen);

    /// <summary>Where whole blocks go.</summary>
    private protected BlockOutput Output { get; }

    /// <summary>Creates (or replaces) a capture file.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="format">The format; by default <see cref="CaptureFormat.Pcap"/> for a .pcap or .cap extension, otherwise <see cref="CaptureFormat.PcapNg"/>.</param>
    public static CaptureWriter Create(string path, CaptureFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CaptureFormat chosen = format ?? FormatFromExtension(path);
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        return Create(stream, chosen, leaveOpen: false);
    }

    /// <summary>Writes a capture to <paramref name="stream"/>.</summary>
    /// <param name="stream">Where the file's bytes go.</param>
    /// <param name="format">The format to write.</param>
    /// <param name="leaveOpen">True to leave the stream open when the writer is disposed.</param>
    public static CaptureWriter Create(Stream stream, CaptureFormat format, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return format switch
        {
            CaptureFormat.Pcap => new PcapWriter(stream, leaveOpen),
            CaptureFormat.PcapNg => new PcapNgWriter(stream, leaveOpen),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown capture format."),
        };
    }

    /// <summary>The format <paramref name="path"/>'s extension asks for: pcap for .pcap and .cap, pcapng otherwise.</summary>
    public static CaptureFormat FormatFromExtension(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".pcap" or ".cap" ? CaptureFormat.Pcap : CaptureFormat.PcapNg;

    /// <summary>The format being written.</summary>
    public abstract CaptureFormat Format { get; }

    /// <summary>Bytes the file holds once flushed: headers, interfaces and packets written so far.</summary>
    public long BytesWritten => Output.Length;

    /// <summary>Bytes one packet of <paramref name="capturedLength"/> bytes (already cut to the snap length) adds to the file.</summary>
    public abstract int RecordLength(int capturedLength);

    /// <summary>Packets written so far.</summary>
    public long PacketCount { get; private set; }

    /// <summary>Describes an interface packets can then be written for; returns its index for <see cref="Write"/>.</summary>
    /// <param name="name">The interface name (pcapng if_name); not kept in pcap files.</param>
    /// <param name="linkType">The link-layer header type, 1 (Ethernet) by default.</param>
    /// <param name="snapLength">Longest packet kept; longer data is cut to it.</param>
    /// <exception cref="NetmapException">A pcap file already has another link type (InvalidRequest).</exception>
    public int AddInterface(string? name, int linkType = 1, int snapLength = DefaultSnapLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(linkType);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(linkType, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapLength);
        int effectiveSnapLength = DescribeInterface(_interfaces.Count, name, linkType, snapLength);
        _interfaces.Add((linkType, effectiveSnapLength));
        return _interfaces.Count - 1;
    }

    /// <summary>Writes one packet.</summary>
    /// <param name="interfaceIndex">What <see cref="AddInterface"/> returned for the packet's interface.</param>
    /// <param name="timestampNanoseconds">Capture time in nanoseconds since 1970-01-01 UTC.</param>
    /// <exception cref="NetmapException">The time is before 1970, or past what the format holds (InvalidRequest); nothing was written.</exception>
    /// <param name="data">The captured bytes, cut to the interface's snap length if longer.</param>
    /// <param name="originalLength">The packet's length on the wire, at least <c>data.Length</c>.</param>
    public void Write(int interfaceIndex, long timestampNanoseconds, ReadOnlySpan<byte> data, int originalLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)interfaceIndex >= (uint)_interfaces.Count)
            throw new ArgumentOutOfRangeException(nameof(interfaceIndex), interfaceIndex,
                $"No interface {interfaceIndex}: {_interfaces.Count} added so far (AddInterface first).");
        if (timestampNanoseconds < 0)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"A packet's timestamp ({CaptureRecord.ToDateTime(timestampNanoseconds):u}) is before 1970: capture files written here count time from 1970; the packet was not written.");
        if (originalLength < data.Length)
            throw new ArgumentOutOfRangeException(nameof(originalLength), originalLength,
                $"The original length must be at least the {data.Length} bytes of data.");
        int snapLength = _interfaces[interfaceIndex].SnapLength;
        WritePacket(interfaceIndex, timestampNanoseconds, data.Length > snapLength ? data[..snapLength] : data, originalLength);
        PacketCount++;
    }

    /// <summary>Writes one packet captured whole (original length = data length).</summary>
    public void Write(int interfaceIndex, long timestampNanoseconds, ReadOnlySpan<byte> data) =>
        Write(interfaceIndex, timestampNanoseconds, data, data.Length);

    /// <summary>Sends every block written so far to the file; the file is then a valid capture.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        BeforeFlush();
        Output.Flush();
    }

    /// <summary>Flushes and closes the file (unless the stream was to be left open).</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            BeforeFlush();
        }
        finally
        {
            Output.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes what describes interface <paramref name="index"/>; returns the snap length packets on it are cut to.</summary>
    private protected abstract int DescribeInterface(int index, string? name, int linkType, int snapLength);

    private protected abstract void WritePacket(int interfaceIndex, long timestampNanoseconds, ReadOnlySpan<byte> data, int originalLength);

    /// <summary>Writes anything a valid file still lacks (a pcap header when no interface was added).</summary>
    private protected virtual void BeforeFlush() { }
}
