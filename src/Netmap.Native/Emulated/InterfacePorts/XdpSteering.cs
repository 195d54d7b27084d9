using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>
/// The XDP program that takes the held queues of an interface away from the host stack: it looks
/// up the packet's RX queue in an XSKMAP and redirects to the AF_XDP socket found there, or lets
/// the packet pass to the stack (XDP_PASS) when the queue is not held. It is attached with a BPF
/// link, so the kernel detaches it when the last descriptor closes, even after kill -9. One
/// attachment per interface serves every port of this process; a second process joins the
/// attachment it finds (same program name) rather than replacing it.
/// </summary>
internal sealed class XdpSteering : IDisposable
{
    public const string ProgramName = "netmapps_xsk";
    private static readonly Dictionary<int, XdpSteering> Attached = new();

    private readonly int _ifindex;
    private int _mapFd = -1, _programFd = -1, _linkFd = -1;
    private int _users;

    private XdpSteering(int ifindex) => _ifindex = ifindex;

    /// <summary>The queue map's name carries this network namespace's inode, so joining another process's program checks it.</summary>
    private static readonly string MapName = $"nmps{NetInterface.NamespaceInode:x11}";

    /// <summary>"native" (driver XDP), "generic" (SKB mode) or "shared" (joined another process's attachment).</summary>
    public string Mode { get; private set; } = "";

    /// <summary>Takes a reference on the steering of <paramref name="ifindex"/>, attaching it if needed.</summary>
    public static XdpSteering Acquire(string ifname, int ifindex)
    {
        lock (Attached)
        {
            if (!Attached.TryGetValue(ifindex, out var steering))
            {
                steering = new XdpSteering(ifindex);
                try
                {
                    steering.Attach(ifname);
                }
                catch
                {
                    steering.Close();
                    throw;
                }
                Attached[ifindex] = steering;
            }
            steering._users++;
            return steering;
        }
    }

    /// <summary>Sends the packets of <paramref name="queue"/> to the socket <paramref name="socketFd"/>.</summary>
    public void Steer(uint queue, int socketFd) => Bpf.UpdateElement(_mapFd, (int)queue, socketFd);

    /// <summary>Gives <paramref name="queue"/> back to the host stack.</summary>
    public void Release(uint queue) => Bpf.DeleteElement(_mapFd, (int)queue);

    private void Attach(string ifname)
    {
        if (TryJoinExisting()) return;
        _mapFd = Bpf.CreateMap(Bpf.MapTypeXsk, 4, 4, 256, MapName);
        _programFd = Bpf.LoadProgram(Bpf.ProgTypeXdp, Program(_mapFd), ProgramName);
        _linkFd = Bpf.CreateLink(_programFd, _ifindex, Bpf.AttachXdp, Bpf.XdpFlagsDrvMode, out int nativeErrno);
        Mode = "native";
        if (_linkFd < 0)
        {
            _linkFd = Bpf.CreateLink(_programFd, _ifindex, Bpf.AttachXdp, Bpf.XdpFlagsSkbMode, out int genericErrno);
            Mode = "generic";
            if (_linkFd < 0)
            {
                if (TryJoinExisting()) return;
                throw genericErrno is LibC.EBUSY or LibC.EEXIST
                    ? new NetmapException(NetmapError.Busy,
                        $"Another XDP program is attached to {ifname} ('ip link show {ifname}' shows it). Detach it first ('ip link set {ifname} xdp off').") { Errno = genericErrno }
                    : Bpf.Fail($"bpf(BPF_LINK_CREATE) attaching XDP to {ifname}", genericErrno, "CAP_NET_ADMIN and CAP_BPF",
                        $" Native mode failed too: {LibC.Describe(nativeErrno)}.");
            }
        }
    }

    /// <summary>
    /// r2 = ctx->rx_queue_index; return bpf_redirect_map(&amp;queues, r2, XDP_PASS). The low bits of the
    /// flags are the action when the queue has no socket.
    /// </summary>
    private static BpfInsn[] Program(int mapFd) =>
    [
        BpfInsn.Make(0x61, 2, 1, 16, 0),   // r2 = *(u32 *)(r1 + 16)
        BpfInsn.Make(0x18, 1, 1, 0, mapFd), // r1 = map (ld_imm64, BPF_PSEUDO_MAP_FD)
        BpfInsn.Make(0x00, 0, 0, 0, 0),
        BpfInsn.Make(0xb7, 3, 0, 0, 2),    // r3 = XDP_PASS
        BpfInsn.Make(0x85, 0, 0, 0, Bpf.FuncRedirectMap),
        BpfInsn.Make(0x95, 0, 0, 0, 0),    // exit
    ];

    /// <summary>Finds an XDP link of ours on this interface (another process's) and joins its map.</summary>
    private unsafe bool TryJoinExisting()
    {
        Span<byte> linkInfo = stackalloc byte[48];
        Span<byte> progInfo = stackalloc byte[232];
        for (int id = Bpf.NextLinkId(0); id != 0; id = Bpf.NextLinkId(id))
        {
            int linkFd = Bpf.LinkFromId(id);
            if (linkFd < 0) continue;
            linkInfo.Clear();
            if (Bpf.GetInfo(linkFd, linkInfo) && BitConverter.ToInt32(linkInfo) == Bpf.LinkTypeXdp
                && BitConverter.ToInt32(linkInfo[16..]) == _ifindex)
            {
                int progFd = Bpf.ProgramFromId(BitConverter.ToInt32(linkInfo[8..]));
                int mapId = 0;
                progInfo.Clear();
                fixed (byte* p = progInfo)
                {
                    *(int*)(p + 52) = 1;           // nr_map_ids
                    *(long*)(p + 56) = (long)&mapId; // map_ids
                }
                bool ours = progFd >= 0 && Bpf.GetInfo(progFd, progInfo)
                    && System.Text.Encoding.ASCII.GetString(progInfo.Slice(64, 16)).TrimEnd('\0') == ProgramName;
                if (progFd >= 0) LibC.Close(progFd);
                if (ours && mapId != 0 && (_mapFd = Bpf.MapFromId(mapId)) >= 0)
                {
                    Span<byte> mapInfo = stackalloc byte[80];
                    mapInfo.Clear();
                    if (Bpf.GetInfo(_mapFd, mapInfo) && System.Text.Encoding.ASCII.GetString(mapInfo.Slice(24, 16)).TrimEnd('\0') == MapName)
                    {
                        _linkFd = linkFd; // holding the link keeps it attached while we use it
                        Mode = "shared";
                        return true;
                    }
                    LibC.Close(_mapFd); // the same ifindex in another network namespace
                    _mapFd = -1;
                }
            }
            LibC.Close(linkFd);
        }
        return false;
    }

    public void Dispose()
    {
        lock (Attached)
        {
            if (--_users > 0) return;
            Attached.Remove(_ifindex);
            Close();
        }
    }

    private void Close()
    {
        foreach (int fd in new[] { _linkFd, _programFd, _mapFd })
            if (fd >= 0) LibC.Close(fd);
        _linkFd = _programFd = _mapFd = -1;
    }
}
