using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Netmap.Native.Interop;

/// <summary>
/// An AF_PACKET socket with a TPACKET_V3 receive ring mapped into memory, bound to one interface and
/// joined to a fanout group. Copies of frames are read without taking them from the host stack.
/// </summary>
internal sealed unsafe class PacketRingSocket : IDisposable
{
    private const int AF_PACKET = 17, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, SOL_PACKET = 263;
    private const int PACKET_RX_RING = 5, PACKET_STATISTICS = 6, PACKET_VERSION = 10, PACKET_FANOUT = 18, PACKET_IGNORE_OUTGOING = 23;
    private const int TPACKET_V3 = 2, TP_STATUS_USER = 1;
    private const ushort ETH_P_ALL_BE = 0x0300;
    private const uint BlockSize = 1 << 20, BlockCount = 8, FrameSize = 2048;
    /// <summary>sll_pkttype of frames the host transmitted.</summary>
    public const byte PacketOutgoing = 4;

    private nint _map;
    private uint _block;
    private uint _packetInBlock;
    private uint _offsetInBlock;

    private PacketRingSocket(int fd) => Fd = fd;

    public int Fd { get; private set; }

    /// <summary>Opens the socket on <paramref name="ifindex"/> and joins fanout group <paramref name="group"/> (queue mapping).</summary>
    public static PacketRingSocket Open(string ifname, int ifindex, ushort group, bool ignoreOutgoing)
    {
        int fd = LibC.Socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, ETH_P_ALL_BE);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is LibC.EPERM or LibC.EACCES ? Bpf.Fail($"socket(AF_PACKET) on {ifname}", errno, "CAP_NET_RAW") : Errors.FromErrno("socket(AF_PACKET)", errno);
        }
        var socket = new PacketRingSocket(fd);
        try
        {
            socket.Setup(ifname, ifindex, group, ignoreOutgoing);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Setup(string ifname, int ifindex, ushort group, bool ignoreOutgoing)
    {
        int version = TPACKET_V3;
        Set(PACKET_VERSION, &version, 4, "PACKET_VERSION");
        uint* req = stackalloc uint[7];
        req[0] = BlockSize; req[1] = BlockCount; req[2] = FrameSize; req[3] = BlockSize / FrameSize * BlockCount;
        req[4] = 10; /* retire a partly filled block after 10 ms */ req[5] = 0; req[6] = 0;
        Set(PACKET_RX_RING, req, 28, "PACKET_RX_RING");
        _map = LibC.MMap(0, BlockSize * BlockCount, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, Fd, 0);
        if (_map == -1) throw Errors.FromErrno("mmap(PACKET_RX_RING)", Marshal.GetLastPInvokeError());
        if (ignoreOutgoing)
        {
            int one = 1;
            Set(PACKET_IGNORE_OUTGOING, &one, 4, "PACKET_IGNORE_OUTGOING");
        }
        byte* address = stackalloc byte[20];
        new Span<byte>(address, 20).Clear();
        *(ushort*)address = AF_PACKET;
        *(ushort*)(address + 2) = ETH_P_ALL_BE;
        *(int*)(address + 4) = ifindex;
        if (LibC.Bind(Fd, address, 20) != 0) throw Errors.FromErrno("bind(AF_PACKET)", Marshal.GetLastPInvokeError(), $"to {ifname}");
        int fanout = group | ((5 /* PACKET_FANOUT_QM */ | (ignoreOutgoing ? 0x4000 : 0)) << 16);
        Set(PACKET_FANOUT, &fanout, 4, "PACKET_FANOUT");
    }

    private void Set(int option, void* value, int length, string what)
    {
        if (LibC.SetSockOpt(Fd, SOL_PACKET, option, value, length) != 0)
            throw Errors.FromErrno($"setsockopt({what})", Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// Hands frames to <paramref name="take"/> (bytes, length on the wire, packet type, nanosecond
    /// timestamp) until it has accepted <paramref name="max"/>; returns how many it accepted. Blocks
    /// are given back to the kernel as soon as they are read through.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the flood path: optimized from the first call, not after tier 0
    public uint Read(uint max, FrameSink take)
    {
        uint n = 0;
        while (n < max)
        {
            byte* block = (byte*)_map + _block * BlockSize;
            if ((Volatile.Read(ref *(uint*)(block + 8)) & TP_STATUS_USER) == 0) break;
            uint packets = *(uint*)(block + 12);
            if (_packetInBlock == 0) _offsetInBlock = *(uint*)(block + 16);
            while (_packetInBlock < packets && n < max)
            {
                byte* hdr = block + _offsetInBlock;
                uint next = *(uint*)hdr, sec = *(uint*)(hdr + 4), nsec = *(uint*)(hdr + 8), snap = *(uint*)(hdr + 12), len = *(uint*)(hdr + 16);
                ushort mac = *(ushort*)(hdr + 24);
                byte type = hdr[48 + 10];
                if (take(hdr + mac, (int)snap, (int)len, type, sec * 1_000_000_000L + nsec)) n++;
                _packetInBlock++;
                _offsetInBlock += next;
            }
            if (_packetInBlock < packets) break;
            Volatile.Write(ref *(uint*)(block + 8), 0u); // TP_STATUS_KERNEL: the block goes back
            _packetInBlock = 0;
            _block = (_block + 1) % BlockCount;
        }
        return n;
    }

    /// <summary>Frames the kernel dropped because the ring was full (PACKET_STATISTICS, since the last call).</summary>
    public long TakeDrops()
    {
        uint* stats = stackalloc uint[3];
        int length = 12;
        return LibC.GetSockOpt(Fd, SOL_PACKET, PACKET_STATISTICS, stats, &length) == 0 ? stats[1] : 0;
    }

    public void Dispose()
    {
        if (_map != 0 && _map != -1) LibC.MUnmap(_map, BlockSize * BlockCount);
        _map = 0;
        if (Fd >= 0) LibC.Close(Fd);
        Fd = -1;
    }
}

/// <summary>Receives one frame from a <see cref="PacketRingSocket"/>; returns false to skip it.</summary>
internal unsafe delegate bool FrameSink(byte* data, int captured, int wireLength, byte packetType, long timestampNanoseconds);
