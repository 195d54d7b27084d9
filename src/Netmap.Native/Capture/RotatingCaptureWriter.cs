using System.Globalization;
using System.Text;

namespace Netmap.Native.Capture;

/// <summary>
/// Writes a long capture as tcpdump's <c>-C -W -G -s</c> do: a new file when the current one would
/// pass <see cref="RotationOptions.MaxFileBytes"/> or is <see cref="RotationOptions.RotateInterval"/>
/// old, a ring of <see cref="RotationOptions.MaxFiles"/> files with a size limit (the oldest is
/// overwritten), packets cut to <see cref="RotationOptions.SnapLength"/> with their original length
/// kept. Every file is complete on its own (pcapng: its own section header and interfaces, in the same
/// order, so interface indices stay valid) and is closed before the next one opens.
/// With no limit set it writes the one file <c>basePath</c>.
/// </summary>
/// <remarks>
/// File names follow tcpdump: strftime fields (%Y %m %d %H %M %S %j %s %%) in the base path are
/// filled in with the local time the file opens (only with a rotation interval); with a size limit
/// the files are NAME, NAME1, NAME2, …; with a ring they are NAME0 … NAME(n-1), zero-padded to the
/// same width. Unlike tcpdump, a file never passes the size limit (tcpdump checks after it is
/// already larger), and a rotation interval with no time field in the name numbers the files rather
/// than overwriting one.
/// </remarks>
public sealed class RotatingCaptureWriter : IDisposable
{
    private readonly string _basePath;
    private readonly CaptureFormat _format;
    private readonly RotationOptions _options;
    private readonly TimeProvider _clock;
    private readonly List<(string? Name, int LinkType)> _interfaces = [];
    private CaptureWriter? _current;
    private long _opened;   // timestamp (TimeProvider) the current file opened
    private bool _disposed;

    /// <param name="basePath">The file name the others are made from.</param>
    /// <param name="format">The format; by default chosen by the base path's extension.</param>
    /// <param name="options">The limits; the defaults mean one file, packets whole.</param>
    /// <param name="clock">The clock for the rotation interval and time fields; the system clock by default.</param>
    public RotatingCaptureWriter(string basePath, CaptureFormat? format = null, RotationOptions? options = null, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(basePath);
        _options = options ?? new RotationOptions();
        _options.Validate();
        _basePath = basePath;
        _format = format ?? CaptureWriter.FormatFromExtension(basePath);
        _clock = clock ?? TimeProvider.System;
        Open();
    }

    /// <summary>The format being written.</summary>
    public CaptureFormat Format => _format;

    /// <summary>The file being written now.</summary>
    public string CurrentPath { get; private set; } = "";

    /// <summary>Files opened so far (the first included).</summary>
    public int FileCount { get; private set; }

    /// <summary>Packets written, over all files.</summary>
    public long PacketCount { get; private set; }

    /// <summary>True once a rotation interval with <see cref="RotationOptions.MaxFiles"/> and no size limit has made its last file full: further packets are not written (tcpdump -G -W exits).</summary>
    public bool IsFinished { get; private set; }

    /// <summary>Raised after a file is closed, with its path.</summary>
    public event Action<string>? FileClosed;

    /// <summary>Describes an interface in the current file and every later one; returns its index for <see cref="Write"/>.</summary>
    /// <exception cref="NetmapException">A pcap file already has another link type (InvalidRequest).</exception>
    public int AddInterface(string? name, int linkType = 1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int index = _current!.AddInterface(name, linkType, _options.SnapLength);
        _interfaces.Add((name, linkType));
        return index;
    }

    /// <summary>Writes one packet, opening the next file first when a limit asks for it. Returns false, writing nothing, once <see cref="IsFinished"/>.</summary>
    /// <exception cref="NetmapException">The timestamp is one the format cannot hold (InvalidRequest); nothing was written.</exception>
    public bool Write(int interfaceIndex, long timestampNanoseconds, ReadOnlySpan<byte> data, int originalLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsFinished) return false;
        int captured = Math.Min(data.Length, _options.SnapLength);
        if (_current!.PacketCount > 0 && (TooOld() || TooLarge(captured)))
        {
            if (_options.MaxFileBytes == 0 && _options.MaxFiles > 0 && FileCount >= _options.MaxFiles)
            {
                IsFinished = true;
                Close();
                return false;
            }
            Close();
            Open();
        }
        _current.Write(interfaceIndex, timestampNanoseconds, data, originalLength);
        PacketCount++;
        return true;
    }

    /// <summary>Sends what was written to the current file; it is then a valid capture.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _current?.Flush();
    }

    /// <summary>Closes the current file, complete.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Close();
    }

    private bool TooOld() =>
        _options.RotateInterval > TimeSpan.Zero && _clock.GetElapsedTime(_opened) >= _options.RotateInterval;

    private bool TooLarge(int captured) =>
        _options.MaxFileBytes > 0 && _current!.BytesWritten + _current.RecordLength(captured) > _options.MaxFileBytes;

    private void Open()
    {
        string path = FileName(FileCount, _clock.GetLocalNow());
        var writer = CaptureWriter.Create(path, _format);
        try
        {
            foreach (var (name, linkType) in _interfaces)
                writer.AddInterface(name, linkType, _options.SnapLength);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
        _current = writer;
        _opened = _clock.GetTimestamp();
        CurrentPath = path;
        FileCount++;
    }

    private void Close()
    {
        if (_current is null) return;
        var closed = _current;
        _current = null;
        closed.Dispose();
        FileClosed?.Invoke(CurrentPath);
    }

    /// <summary>The name of file number <paramref name="number"/> (from 0), opened at <paramref name="now"/>.</summary>
    public string FileName(int number, DateTimeOffset now)
    {
        string name = _options.RotateInterval > TimeSpan.Zero ? FormatTime(_basePath, now) : _basePath;
        bool timeNamed = _options.RotateInterval > TimeSpan.Zero && name != _basePath;
        if (_options.MaxFileBytes > 0 && _options.MaxFiles == 1)
            return name;   // tcpdump -C -W 1: the one file, rewritten
        if (_options.MaxFileBytes > 0 && _options.MaxFiles > 0)
            return name + (number % _options.MaxFiles).ToString(CultureInfo.InvariantCulture).PadLeft(Digits(_options.MaxFiles - 1), '0');
        if (timeNamed && _options.MaxFileBytes == 0)
            return name;
        return number == 0 ? name : name + number.ToString(CultureInfo.InvariantCulture);
    }

    // tcpdump pads ring numbers to the digits of (files - 1): 10 files are 0..9, 11 files 00..10.
    private static int Digits(int value)
    {
        int digits = 0;
        for (; value > 0; value /= 10) digits++;
        return digits;
    }

    /// <summary>Fills in the strftime fields tcpdump's names use most: %Y %m %d %H %M %S %j %s and %%; other text stays as it is.</summary>
    public static string FormatTime(string pattern, DateTimeOffset time)
    {
        if (!pattern.Contains('%')) return pattern;
        var text = new StringBuilder(pattern.Length + 16);
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != '%' || i + 1 == pattern.Length) { text.Append(pattern[i]); continue; }
            string? field = pattern[i + 1] switch
            {
                'Y' => time.ToString("yyyy", CultureInfo.InvariantCulture),
                'm' => time.ToString("MM", CultureInfo.InvariantCulture),
                'd' => time.ToString("dd", CultureInfo.InvariantCulture),
                'H' => time.ToString("HH", CultureInfo.InvariantCulture),
                'M' => time.ToString("mm", CultureInfo.InvariantCulture),
                'S' => time.ToString("ss", CultureInfo.InvariantCulture),
                'j' => time.DayOfYear.ToString("000", CultureInfo.InvariantCulture),
                's' => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                '%' => "%",
                _ => null,
            };
            if (field is null) { text.Append('%'); continue; }
            text.Append(field);
            i++;
        }
        return text.ToString();
    }
}
