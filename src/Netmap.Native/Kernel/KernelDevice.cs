using System.Runtime.InteropServices;
using Netmap.Native.Abi;
using Netmap.Native.Interop;
using Netmap.Native.Ports;

namespace Netmap.Native.Kernel;

/// <summary>
/// One open file descriptor of /dev/netmap: NIOCCTRL requests, and once a port is registered on it,
/// the syncs, poll and the mmap of its memory region.
/// </summary>
internal sealed unsafe class KernelDevice : IDisposable
{
    private int _fd;

    private KernelDevice(int fd) => _fd = fd;

    /// <summary>Opens /dev/netmap; <paramref name="subject"/> names what it is for, in the error.</summary>
    public static KernelDevice Open(string subject)
    {
        int fd = LibC.Open(NetmapBackends.KernelDevice, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd < 0) throw KernelErrors.Map(Marshal.GetLastPInvokeError(), KernelOperation.OpenDevice, subject);
        return new KernelDevice(fd);
    }

    /// <summary>The file descriptor.</summary>
    public int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(nameof(KernelDevice));

    /// <summary>NIOCCTRL with <paramref name="request"/>: 0, or the errno.</summary>
    public int TryControl(RequestBlock request) =>
        LibC.Ioctl(Fd, NetmapAbi.NIOCCTRL, (void*)request.Address) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>NIOCCTRL with <paramref name="request"/>; a failure becomes the message for <paramref name="operation"/> on <paramref name="subject"/>.</summary>
    public void Control(RequestBlock request, KernelOperation operation, string subject)
    {
        int errno = TryControl(request);
        if (errno != 0) throw KernelErrors.Map(errno, operation, subject);
    }

    /// <summary>NIOCTXSYNC or NIOCRXSYNC: 0, or the errno.</summary>
    public int Sync(bool tx) =>
        LibC.Ioctl(Fd, tx ? NetmapAbi.NIOCTXSYNC : NetmapAbi.NIOCRXSYNC, null) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>poll(2) for <paramref name="events"/>: the events returned (0 on timeout), or -errno.</summary>
    public int Poll(short events, int timeoutMs)
    {
        var pfd = new LibC.PollFd { Fd = Fd, Events = events };
        int rc = LibC.Poll(&pfd, 1, timeoutMs);
        if (rc < 0) return -Marshal.GetLastPInvokeError();
        return rc == 0 ? 0 : (ushort)pfd.Returned;
    }

    /// <summary>
    /// poll(2) for POLLIN on <paramref name="receive"/> and <paramref name="transmitEvents"/> on <paramref name="transmit"/>
    /// (both on one descriptor when they are the same device), with no wait by default: the events returned on both,
    /// or -errno. netmap's poll syncs the TX rings of a descriptor whatever events it asks for (np_txpoll).
    /// </summary>
    public static int PollPair(KernelDevice receive, KernelDevice transmit, short transmitEvents = LibC.POLLOUT, int timeoutMs = 0)
    {
        var pfd = stackalloc LibC.PollFd[2];
        pfd[0] = new LibC.PollFd { Fd = receive.Fd, Events = LibC.POLLIN };
        pfd[1] = new LibC.PollFd { Fd = transmit.Fd, Events = transmitEvents };
        nuint count = 2;
        if (ReferenceEquals(receive, transmit)) (pfd[0].Events, count) = ((short)(LibC.POLLIN | transmitEvents), 1);
        int rc = LibC.Poll(pfd, count, timeoutMs);
        if (rc < 0) return -Marshal.GetLastPInvokeError();
        return (ushort)pfd[0].Returned | (count == 2 ? (ushort)pfd[1].Returned : 0);
    }

    /// <summary>Maps <paramref name="size"/> bytes of the registered port's memory region from offset 0.</summary>
    public nint Map(ulong size, string subject)
    {
        nint p = LibC.MMap(0, (nuint)size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, Fd, 0);
        if (p == -1) throw KernelErrors.Map(Marshal.GetLastPInvokeError(), KernelOperation.Map, subject, $"({size} bytes)");
        return p;
    }

    /// <summary>Closes the descriptor (the kernel unregisters the port).</summary>
    public void Dispose()
    {
        if (_fd < 0) return;
        LibC.Close(_fd);
        _fd = -1;
    }
}
