using System.Runtime.InteropServices;

namespace Netmap.Native.Interop;

/// <summary>One of the four single-producer rings an AF_XDP socket shares with the kernel.</summary>
internal sealed unsafe class XskRing
{
    private readonly nint _map;
    private readonly nuint _length;

    public XskRing(nint map, nuint length, ulong producer, ulong consumer, ulong flags, ulong descriptors, uint size)
    {
        _map = map;
        _length = length;
        Producer = (uint*)(map + (nint)producer);
        Consumer = (uint*)(map + (nint)consumer);
        Flags = (uint*)(map + (nint)flags);
        Descriptors = (byte*)(map + (nint)descriptors);
        Size = size;
    }

    public uint* Producer { get; }
    public uint* Consumer { get; }
    public uint* Flags { get; }
    public byte* Descriptors { get; }
    public uint Size { get; }
    public uint Mask => Size - 1;
    /// <summary>The kernel asks to be woken with a system call (XDP_RING_NEED_WAKEUP).</summary>
    public bool NeedsWakeup => (Volatile.Read(ref *Flags) & 1) != 0;

    public void Unmap() => LibC.MUnmap(_map, _length);
}

/// <summary>XDP_STATISTICS of a socket.</summary>
public readonly record struct XdpStatistics(ulong RxDropped, ulong RxInvalid, ulong TxInvalid, ulong RxRingFull, ulong FillRingEmpty, ulong TxRingEmpty);

/// <summary>
/// An AF_XDP socket bound to one queue of an interface, with its UMEM registered over memory the
/// caller owns, and its RX, TX, fill and completion rings mapped.
/// </summary>
internal sealed unsafe class XskSocket : IDisposable
{
    private const int AF_XDP = 44, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, SOL_XDP = 283;
    private const int XDP_MMAP_OFFSETS = 1, XDP_RX_RING = 2, XDP_TX_RING = 3, XDP_UMEM_REG = 4, XDP_UMEM_FILL_RING = 5,
        XDP_UMEM_COMPLETION_RING = 6, XDP_STATISTICS = 7;
    private const ushort XDP_COPY = 2, XDP_ZEROCOPY = 4, XDP_USE_NEED_WAKEUP = 8;
    private const long PgoffRx = 0, PgoffTx = 0x80000000, PgoffFill = 0x100000000, PgoffCompletion = 0x180000000;

    private XskSocket(int fd, uint queue) { Fd = fd; Queue = queue; }

    public int Fd { get; private set; }
    public uint Queue { get; }
    public bool ZeroCopy { get; private set; }
    public XskRing Rx { get; private set; } = null!;
    public XskRing Tx { get; private set; } = null!;
    public XskRing Fill { get; private set; } = null!;
    public XskRing Completion { get; private set; } = null!;

    /// <summary>Creates the socket, registers <paramref name="umem"/> and binds it to <paramref name="queue"/> of <paramref name="ifindex"/>.</summary>
    public static XskSocket Open(string ifname, int ifindex, uint queue, byte* umem, ulong umemLength, uint chunkSize, uint ringSize)
    {
        int fd = LibC.Socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is LibC.EPERM or LibC.EACCES
                ? new NetmapException(NetmapError.PermissionDenied,
                    $"Cannot create an AF_XDP socket for {ifname}: {LibC.Describe(errno)}. This needs CAP_NET_RAW: {Errors.CapabilityHint("cap_net_raw,cap_net_admin,cap_bpf")}.") { Errno = errno }
                : errno == 97 /* EAFNOSUPPORT */
                    ? new NetmapException(NetmapError.NotSupported, $"This kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS); {ifname} cannot be opened in emulated mode.") { Errno = errno }
                    : Errors.FromErrno("socket(AF_XDP)", errno);
        }
        var socket = new XskSocket(fd, queue);
        try
        {
            socket.Setup(ifname, ifindex, umem, umemLength, chunkSize, ringSize);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Setup(string ifname, int ifindex, byte* umem, ulong umemLength, uint chunkSize, uint ringSize)
    {
        ulong* reg = stackalloc ulong[4];
        reg[0] = (ulong)umem;
        reg[1] = umemLength;
        reg[2] = chunkSize; // chunk_size, headroom 0
        reg[3] = 0;         // flags, tx_metadata_len
        SetOption(XDP_UMEM_REG, reg, 32, "XDP_UMEM_REG");
        int size = (int)ringSize;
        SetOption(XDP_UMEM_FILL_RING, &size, 4, "XDP_UMEM_FILL_RING");
        SetOption(XDP_UMEM_COMPLETION_RING, &size, 4, "XDP_UMEM_COMPLETION_RING");
        SetOption(XDP_RX_RING, &size, 4, "XDP_RX_RING");
        SetOption(XDP_TX_RING, &size, 4, "XDP_TX_RING");

        ulong* off = stackalloc ulong[16]; // rx, tx, fill, completion: producer, consumer, desc, flags
        int length = 128;
        if (LibC.GetSockOpt(Fd, SOL_XDP, XDP_MMAP_OFFSETS, off, &length) != 0)
            throw Errors.FromErrno("getsockopt(XDP_MMAP_OFFSETS)", Marshal.GetLastPInvokeError());
        Rx = MapRing(off + 0, PgoffRx, ringSize, 16);
        Tx = MapRing(off + 4, PgoffTx, ringSize, 16);
        Fill = MapRing(off + 8, PgoffFill, ringSize, 8);
        Completion = MapRing(off + 12, PgoffCompletion, ringSize, 8);

        // Zero-copy where the driver can, copy mode otherwise. A queue freed a moment ago may still be busy.
        int errno = 0;
        foreach (ushort mode in new[] { XDP_ZEROCOPY, XDP_COPY })
        {
            for (int attempt = 0; attempt < 20; attempt++)
            {
                if (TryBind(ifindex, (ushort)(mode | XDP_USE_NEED_WAKEUP), out errno))
                {
                    ZeroCopy = mode == XDP_ZEROCOPY;
                    return;
                }
                if (errno != LibC.EBUSY) break;
                Thread.Sleep(5);
            }
            if (errno == LibC.EBUSY) break;
        }
        throw errno switch
        {
            LibC.EBUSY => new NetmapException(NetmapError.Busy,
                $"Queue {Queue} of {ifname} is held by another AF_XDP socket (another open port, or another program). Close it, or open another ring with '-N'.") { Errno = errno },
            LibC.EPERM or LibC.EACCES => Bpf.Fail("bind(AF_XDP)", errno, "CAP_NET_RAW"),
            _ => Errors.FromErrno("bind(AF_XDP)", errno, $"to queue {Queue} of {ifname}"),
        };
    }

    private bool TryBind(int ifindex, ushort flags, out int errno)
    {
        byte* address = stackalloc byte[16];
        new Span<byte>(address, 16).Clear();
        *(ushort*)address = AF_XDP;
        *(ushort*)(address + 2) = flags;
        *(int*)(address + 4) = ifindex;
        *(uint*)(address + 8) = Queue;
        bool ok = LibC.Bind(Fd, address, 16) == 0;
        errno = ok ? 0 : Marshal.GetLastPInvokeError();
        return ok;
    }

    private void SetOption(int name, void* value, int length, string what)
    {
        if (LibC.SetSockOpt(Fd, SOL_XDP, name, value, length) != 0)
            throw Errors.FromErrno($"setsockopt({what})", Marshal.GetLastPInvokeError());
    }

    private XskRing MapRing(ulong* offsets, long pgoff, uint size, uint descriptorSize)
    {
        nuint length = (nuint)(offsets[2] + size * descriptorSize);
        nint map = LibC.MMap(0, length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_POPULATE, Fd, pgoff);
        if (map == -1) throw Errors.FromErrno("mmap(AF_XDP ring)", Marshal.GetLastPInvokeError());
        return new XskRing(map, length, offsets[0], offsets[1], offsets[3], offsets[2], size);
    }

    /// <summary>Tells the kernel to look at the TX ring (needed in copy mode, and when it asks for a wakeup).</summary>
    public void KickTx() => LibC.SendTo(Fd, null, 0, LibC.MSG_DONTWAIT, null, 0);

    /// <summary>Tells the kernel the fill ring has buffers again, when it asks for that.</summary>
    public void KickFill() => LibC.RecvFrom(Fd, null, 0, LibC.MSG_DONTWAIT, null, null);

    public XdpStatistics Statistics()
    {
        ulong* s = stackalloc ulong[6];
        int length = 48;
        if (LibC.GetSockOpt(Fd, SOL_XDP, XDP_STATISTICS, s, &length) != 0) return default;
        return new XdpStatistics(s[0], s[1], s[2], s[3], s[4], s[5]);
    }

    public void Dispose()
    {
        Rx?.Unmap();
        Tx?.Unmap();
        Fill?.Unmap();
        Completion?.Unmap();
        if (Fd >= 0) LibC.Close(Fd);
        Fd = -1;
    }
}
