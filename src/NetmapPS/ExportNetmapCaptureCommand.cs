using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Capture;
using Netmap.Native.Packets;

namespace NetmapPS;

/// <summary>
/// Writes the packets of the pipeline to a pcapng file (or pcap, by extension or -Format), one
/// interface per port the packets came from, with nanosecond timestamps. The file is valid at every
/// moment: stopping the pipeline (Ctrl+C) leaves the packets written so far. -MaxFileSize, -MaxFiles,
/// -RotateSeconds and -SnapLength write a ring of files as tcpdump -C -W -G -s do (RotatingCaptureWriter).
/// </summary>
[Cmdlet(VerbsData.Export, "NetmapCapture", SupportsShouldProcess = true)]
[OutputType(typeof(NetmapPacket))]
public sealed class ExportNetmapCaptureCommand : PSCmdlet, IDisposable
{
    private RotatingCaptureWriter? _writer;
    private bool _finishedWarned;
    private readonly Dictionary<string, int> _interfaces = new();

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public NetmapPacket InputObject { get; set; } = null!;

    /// <summary>Pcapng (default for any extension but .pcap/.cap) or Pcap.</summary>
    [Parameter]
    public CaptureFormat? Format { get; set; }

    /// <summary>Bytes a file may hold before the next one opens (tcpdump -C, in bytes: 100MB works).</summary>
    [Parameter]
    [ValidateRange(1024, long.MaxValue)]
    public long MaxFileSize { get; set; }

    /// <summary>With -MaxFileSize, a ring of this many files; with only -RotateSeconds, stop after this many (tcpdump -W).</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int MaxFiles { get; set; }

    /// <summary>A new file every this many seconds, as packets arrive (tcpdump -G); strftime fields in Path name it.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int RotateSeconds { get; set; }

    /// <summary>Packets longer than this are cut to it, their original length kept (tcpdump -s).</summary>
    [Parameter]
    [ValidateRange(1, CaptureWriter.DefaultSnapLength)]
    public int SnapLength { get; set; } = CaptureWriter.DefaultSnapLength;

    /// <summary>Pass the packets on down the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (MaxFiles > 0 && MaxFileSize == 0 && RotateSeconds == 0)
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(Strings.ExportMaxFilesAlone), ErrorId.InvalidRotation, MaxFiles));
        if (!ShouldProcess(path, Strings.ExportAction)) return;
        var options = new RotationOptions
        {
            MaxFileBytes = MaxFileSize, MaxFiles = MaxFiles, RotateInterval = TimeSpan.FromSeconds(RotateSeconds), SnapLength = SnapLength,
        };
        try
        {
            _writer = new RotatingCaptureWriter(path, Format, options);
            _writer.FileClosed += OnFileClosed;
            WriteVerbose(Words.Format(Strings.ExportWriting, _writer.Format, _writer.CurrentPath));
            if (MaxFileSize > 0 || RotateSeconds > 0 || MaxFiles > 0 || SnapLength != CaptureWriter.DefaultSnapLength)
                WriteVerbose(Words.Format(Strings.ExportRotating, path, MaxFileSize, MaxFiles, RotateSeconds, SnapLength));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NetmapException)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorId.CaptureFileNotWritable, path));
        }
    }

    protected override void ProcessRecord()
    {
        if (_writer is not null)
        {
            var packet = InputObject;
            string name = InterfaceName(packet);
            string key = $"{packet.LinkType}/{name}"; // one interface per port and link type
            if (!_interfaces.TryGetValue(key, out int index))
            {
                try
                {
                    _interfaces[key] = index = _writer.AddInterface(name, packet.LinkType);
                }
                catch (NetmapException e)
                {
                    ThrowTerminatingError(ErrorRecords.From(e, Path));
                }
            }
            try
            {
                if (!_writer.Write(index, packet.TimestampNanoseconds, packet.Data, Math.Max(packet.OriginalLength, packet.Length)) && !_finishedWarned)
                {
                    _finishedWarned = true;
                    WriteWarning(Words.Format(Strings.ExportFilesDone, _writer.FileCount));
                }
            }
            catch (NetmapException e)
            {
                // One packet the format cannot hold (a time before 1970): say so, write the rest.
                WriteError(ErrorRecords.Create(e, ErrorId.PacketNotWritable, packet));
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ThrowTerminatingError(ErrorRecords.Create(e, ErrorId.CaptureFileNotWritable, _writer.CurrentPath));
            }
            try
            {
                if (_writer.PacketCount % 256 == 0) _writer.Flush();
            }
            catch (IOException e)
            {
                ThrowTerminatingError(ErrorRecords.Create(e, ErrorId.CaptureFileNotWritable, Path));
            }
        }
        if (PassThru) WriteObject(InputObject);
    }

    /// <summary>A packet from a remote session keeps its host in the interface name.</summary>
    private string InterfaceName(NetmapPacket packet)
    {
        var computer = PSObject.AsPSObject(packet).Properties["PSComputerName"]?.Value as string;
        return string.IsNullOrEmpty(computer) ? packet.Port : $"{computer}:{packet.Port}";
    }

    protected override void EndProcessing()
    {
        if (_writer is null) return;
        WriteVerbose(Words.Format(Strings.ExportWrote, _writer.PacketCount, _interfaces.Count));
        Dispose();
    }

    private void OnFileClosed(string path) => WriteVerbose(Words.Format(Strings.ExportFileClosed, path));

    /// <summary>Closes the current file; called by PowerShell after the end of the pipeline or Ctrl+C, when nothing can be written to the pipeline any more.</summary>
    public void Dispose()
    {
        if (_writer is not null) _writer.FileClosed -= OnFileClosed;
        _writer?.Dispose();
        _writer = null;
    }
}
