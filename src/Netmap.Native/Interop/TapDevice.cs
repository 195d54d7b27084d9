using System.Runtime.InteropServices;

namespace Netmap.Native.Interop;

/// <summary>
/// A TAP device that exists only while its descriptor is open (no TUNSETPERSIST): read() gives the
/// frames transmitted on it, write() makes it receive a frame. It is brought up without ARP or IPv6,
/// so it sends nothing of its own.
/// </summary>
internal sealed unsafe class TapDevice : IDisposable
{
    private const ulong TUNSETIFF = 0x400454ca;
    private const short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000, IFF_UP = 0x1, IFF_NOARP = 0x80;
    private const ulong SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, SIOCSIFMTU = 0x8922;

    private TapDevice(int fd, string name, int index) { Fd = fd; Name = name; Index = index; }

    public int Fd { get; private set; }
    public string Name { get; }
    public int Index { get; }

    public static TapDevice Create(string name, uint mtu)
    {
        int fd = LibC.Open("/dev/net/tun", LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is LibC.EPERM or LibC.EACCES
                ? Bpf.Fail("open(/dev/net/tun)", errno, "CAP_NET_ADMIN")
                : new NetmapException(NetmapError.NotSupported, $"Host rings need a TAP device, but /dev/net/tun cannot be opened: {LibC.Describe(errno)}.") { Errno = errno };
        }
        byte* request = stackalloc byte[40];
        new Span<byte>(request, 40).Clear();
        System.Text.Encoding.ASCII.GetBytes(name).CopyTo(new Span<byte>(request, 15));
        *(short*)(request + 16) = IFF_TAP | IFF_NO_PI;
        if (LibC.Ioctl(fd, TUNSETIFF, request) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LibC.Close(fd);
            throw errno is LibC.EPERM or LibC.EACCES ? Bpf.Fail("ioctl(TUNSETIFF)", errno, "CAP_NET_ADMIN") : Errors.FromErrno("ioctl(TUNSETIFF)", errno, $"creating {name}");
        }
        var tap = new TapDevice(fd, name, LibC.IfNameToIndex(name));
        try
        {
            File.WriteAllText($"/proc/sys/net/ipv6/conf/{name}/disable_ipv6", "1");
        }
        catch (IOException) { } // IPv6 is off altogether
        catch (UnauthorizedAccessException) { }
        tap.Configure(mtu);
        return tap;
    }

    private void Configure(uint mtu)
    {
        int socket = LibC.Socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */ | 0x80000, 0);
        try
        {
            byte* request = stackalloc byte[40];
            new Span<byte>(request, 40).Clear();
            System.Text.Encoding.ASCII.GetBytes(Name).CopyTo(new Span<byte>(request, 15));
            *(int*)(request + 16) = (int)mtu;
            LibC.Ioctl(socket, SIOCSIFMTU, request);
            if (LibC.Ioctl(socket, SIOCGIFFLAGS, request) != 0) throw Errors.FromErrno("ioctl(SIOCGIFFLAGS)", Marshal.GetLastPInvokeError(), Name);
            *(short*)(request + 16) |= IFF_UP | IFF_NOARP;
            if (LibC.Ioctl(socket, SIOCSIFFLAGS, request) != 0) throw Errors.FromErrno("ioctl(SIOCSIFFLAGS)", Marshal.GetLastPInvokeError(), Name);
        }
        finally
        {
            LibC.Close(socket);
        }
    }

    public void Dispose()
    {
        if (Fd >= 0) LibC.Close(Fd); // the device goes with its last descriptor
        Fd = -1;
    }
}
