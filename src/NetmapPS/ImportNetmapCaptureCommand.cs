using System.Management.Automation;
using Netmap.Native;
using Netmap.Native.Capture;
using Netmap.Native.Packets;

namespace NetmapPS;

/// <summary>
/// Reads pcap (either byte order, micro- or nanosecond) and pcapng files into the same packet
/// objects Receive-NetmapPacket writes. A damaged file gives the packets before the damage, then an
/// error naming the offset.
/// </summary>
[Cmdlet(VerbsData.Import, "NetmapCapture")]
[OutputType(typeof(NetmapPacket))]
public sealed class ImportNetmapCaptureCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Only packets this pcap-filter expression matches.</summary>
    [Parameter]
    public string? Filter { get; set; }

    /// <summary>The filter compiled for each link type met so far (a pcapng file may mix them).</summary>
    private readonly Dictionary<int, Netmap.Native.Filters.PacketFilter> _filters = new();

    protected override void ProcessRecord()
    {
        if (!string.IsNullOrWhiteSpace(Filter)) FilterFor(NetmapPacket.EthernetLinkType); // a bad expression stops here, before any file
        foreach (string pattern in Path)
            foreach (string path in Resolve(pattern))
                Read(path);
    }

    private Netmap.Native.Filters.PacketFilter FilterFor(int linkType)
    {
        if (_filters.TryGetValue(linkType, out var filter)) return filter;
        try
        {
            return _filters[linkType] = Netmap.Native.Filters.PacketFilter.Compile(Filter, linkType);
        }
        catch (NetmapException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Filter));
            throw; // not reached
        }
    }

    private IEnumerable<string> Resolve(string pattern)
    {
        try
        {
            return GetResolvedProviderPathFromPSPath(pattern, out _);
        }
        catch (ItemNotFoundException e)
        {
            WriteError(ErrorRecords.Create(e, ErrorId.CaptureFileNotFound, pattern));
            return Array.Empty<string>();
        }
    }

    private void Read(string path)
    {
        bool filtered = !string.IsNullOrWhiteSpace(Filter);
        long number = 0;
        try
        {
            foreach (var record in CaptureReader.Open(path))
            {
                number++;
                if (filtered && !FilterFor(record.LinkType).Matches(record.Data, record.OriginalLength)) continue;
                var packet = new NetmapPacket(record.Data, record.Timestamp, record.InterfaceName ?? System.IO.Path.GetFileName(path),
                    (uint)record.InterfaceIndex, 0, record.OriginalLength, record.TimestampNanoseconds) { Number = number, LinkType = record.LinkType };
                WriteObject(packet);
            }
        }
        catch (CaptureFormatException e)
        {
            WriteError(ErrorRecords.Create(e, ErrorId.CaptureFileCorrupt, path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(ErrorRecords.Create(e, ErrorId.CaptureFileNotReadable, path));
        }
    }
}
