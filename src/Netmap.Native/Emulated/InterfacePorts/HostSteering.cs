using Netmap.Native.Interop;

namespace Netmap.Native.Emulated;

/// <summary>
/// The host rings of an interface without the netmap module: a TAP device and two tcx links. What
/// the host stack transmits on the interface is redirected (tcx egress) to the TAP, where read()
/// gives it to the host RX ring instead of the wire; what the host TX ring writes into the TAP is
/// redirected (tcx ingress on the TAP) into the interface's ingress, so the stack receives it as if
/// it came from the wire. BPF links and the TAP all go when their descriptors close, kill -9 included.
/// </summary>
internal sealed class HostSteering : IDisposable
{
    private const int BPF_F_INGRESS = 1;
    private readonly List<int> _fds = new();

    private HostSteering(TapDevice tap) => Tap = tap;

    public TapDevice Tap { get; }

    public static HostSteering Attach(NetInterface nic)
    {
        var tap = TapDevice.Create($"nmh{nic.Index}x{Environment.ProcessId % 100000}", nic.Mtu);
        var steering = new HostSteering(tap);
        try
        {
            steering.Link(Redirect(tap.Index, 0), nic.Index, Bpf.AttachTcxEgress, $"{nic.Name} egress");
            steering.Link(Redirect(nic.Index, BPF_F_INGRESS), tap.Index, Bpf.AttachTcxIngress, $"{tap.Name} ingress");
            return steering;
        }
        catch
        {
            steering.Dispose();
            throw;
        }
    }

    /// <summary>return bpf_redirect(ifindex, flags): TC_ACT_REDIRECT.</summary>
    private static BpfInsn[] Redirect(int ifindex, int flags) =>
    [
        BpfInsn.Make(0xb7, 1, 0, 0, ifindex), // r1 = ifindex
        BpfInsn.Make(0xb7, 2, 0, 0, flags),   // r2 = flags
        BpfInsn.Make(0x85, 0, 0, 0, Bpf.FuncRedirect),
        BpfInsn.Make(0x95, 0, 0, 0, 0),
    ];

    private void Link(BpfInsn[] program, int ifindex, int attachType, string where)
    {
        int prog = Bpf.LoadProgram(Bpf.ProgTypeSchedCls, program, "netmapps_host", attachType);
        _fds.Add(prog);
        int link = Bpf.CreateLink(prog, ifindex, attachType, 0, out int errno);
        if (link < 0)
            throw errno == LibC.EINVAL
                ? new NetmapException(NetmapError.NotSupported,
                    $"Host rings need tcx (BPF_TCX_INGRESS/EGRESS, Linux 6.6 or later) to steer {where}; this kernel refused it: {LibC.Describe(errno)}.") { Errno = errno }
                : Bpf.Fail($"bpf(BPF_LINK_CREATE) on {where}", errno, "CAP_NET_ADMIN and CAP_BPF");
        _fds.Add(link);
    }

    public void Dispose()
    {
        foreach (int fd in _fds) LibC.Close(fd);
        _fds.Clear();
        Tap.Dispose();
    }
}
