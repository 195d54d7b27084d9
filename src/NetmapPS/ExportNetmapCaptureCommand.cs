using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Capture;
using Netmap.Native.Packets;

namespace NetmapPS;

/// <summary>
/// Writes the packets of the pipeline to a pcapng file (or pcap, by extension or -Format), one
/// interface per port the packets came from, with nanosecond timestamps. The file is valid at every
/// moment: stopping the pipeline (Ctrl+C) leaves the packets written so far.
/// </summary>
[Cmdlet(VerbsData.Export, "NetmapCapture", SupportsShouldProcess = true)]
[OutputType(typeof(NetmapPacket))]
public sealed class ExportNetmapCaptureCommand : PSCmdlet, IDisposable
{
    private CaptureWriter? _writer;
    private readonly Dictionary<string, int> _interfaces = new();

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public NetmapPacket InputObject { get; set; } = null!;

    /// <summary>Pcapng (default for any extension but .pcap/.cap) or Pcap.</summary>
    [Parameter]
    public CaptureFormat? Format { get; set; }

    /// <summary>Pass the packets on down the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(path, Strings.ExportAction)) return;
        try
        {
            _writer = CaptureWriter.Create(path, Format);
            WriteVerbose(Words.Format(Strings.ExportWriting, _writer.Format, path));
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
                _writer.Write(index, packet.TimestampNanoseconds, packet.Data, Math.Max(packet.OriginalLength, packet.Length));
            }
            catch (NetmapException e)
            {
                // One packet the format cannot hold (a time before 1970): say so, write the rest.
                WriteError(ErrorRecords.Create(e, ErrorId.PacketNotWritable, packet));
                return;
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

    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
