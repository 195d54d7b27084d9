using System.Runtime.InteropServices;

namespace Netmap.Native.Interop;

/// <summary>One classic eBPF instruction (struct bpf_insn).</summary>
[StructLayout(LayoutKind.Sequential, Size = 8)]
internal struct BpfInsn
{
    public byte Code;
    public byte Registers; // dst in the low nibble, src in the high nibble
    public short Offset;
    public int Immediate;

    public static BpfInsn Make(byte code, int dst, int src, short offset, int imm) =>
        new() { Code = code, Registers = (byte)((src << 4) | dst), Offset = offset, Immediate = imm };
}

/// <summary>
/// The bpf(2) system call, for the few commands the emulated adapter needs: maps, program load,
/// links (which the kernel detaches by itself when their last file descriptor closes), and object info.
/// </summary>
internal static unsafe class Bpf
{
    private const int MAP_CREATE = 0, MAP_UPDATE_ELEM = 2, MAP_DELETE_ELEM = 3, PROG_LOAD = 5, PROG_GET_FD_BY_ID = 13,
        MAP_GET_FD_BY_ID = 14, OBJ_GET_INFO_BY_FD = 15, LINK_CREATE = 28, LINK_GET_FD_BY_ID = 30, LINK_GET_NEXT_ID = 31;
    private const int AttrSize = 144;

    public const int MapTypeXsk = 17;
    public const int ProgTypeSchedCls = 3, ProgTypeXdp = 6;
    public const int AttachXdp = 37, AttachTcxIngress = 46, AttachTcxEgress = 47;
    public const int XdpFlagsSkbMode = 2, XdpFlagsDrvMode = 4;
    public const int LinkTypeXdp = 6;
    public const int FuncRedirect = 23, FuncRedirectMap = 51;

    private static readonly long SysBpf = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 280 : 321;

    private static int Call(int command, byte* attr, out int errno)
    {
        long rc = LibC.Syscall6(SysBpf, command, (nint)attr, AttrSize, 0, 0, 0);
        errno = rc < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)rc;
    }

    public static int CreateMap(int type, int keySize, int valueSize, int maxEntries, string name)
    {
        byte* a = stackalloc byte[AttrSize];
        new Span<byte>(a, AttrSize).Clear();
        *(int*)a = type;
        *(int*)(a + 4) = keySize;
        *(int*)(a + 8) = valueSize;
        *(int*)(a + 12) = maxEntries;
        WriteName(a + 28, name);
        int fd = Call(MAP_CREATE, a, out int errno);
        return fd >= 0 ? fd : throw Fail("bpf(BPF_MAP_CREATE)", errno, "CAP_BPF");
    }

    public static void UpdateElement(int mapFd, int key, int value)
    {
        byte* a = stackalloc byte[AttrSize];
        new Span<byte>(a, AttrSize).Clear();
        *(int*)a = mapFd;
        *(long*)(a + 8) = (long)&key;
        *(long*)(a + 16) = (long)&value;
        if (Call(MAP_UPDATE_ELEM, a, out int errno) < 0) throw Fail("bpf(BPF_MAP_UPDATE_ELEM)", errno, "CAP_BPF");
    }

    public static void DeleteElement(int mapFd, int key)
    {
        byte* a = stackalloc byte[AttrSize];
        new Span<byte>(a, AttrSize).Clear();
        *(int*)a = mapFd;
        *(long*)(a + 8) = (long)&key;
        Call(MAP_DELETE_ELEM, a, out _);
    }

    /// <summary>Loads a program; on a verifier refusal the exception carries the verifier's log.</summary>
    public static int LoadProgram(int type, ReadOnlySpan<BpfInsn> program, string name, int expectedAttachType = 0)
    {
        byte* a = stackalloc byte[AttrSize];
        byte[] license = "Dual BSD/GPL\0"u8.ToArray();
        byte[] log = new byte[16384];
        fixed (BpfInsn* insns = program)
        fixed (byte* lic = license)
        fixed (byte* logBuffer = log)
        {
            for (int attempt = 0; attempt < 2; attempt++)
            {
                new Span<byte>(a, AttrSize).Clear();
                *(int*)a = type;
                *(int*)(a + 4) = program.Length;
                *(long*)(a + 8) = (long)insns;
                *(long*)(a + 16) = (long)lic;
                if (attempt == 1)
                {
                    *(int*)(a + 24) = 1;
                    *(int*)(a + 28) = log.Length;
                    *(long*)(a + 32) = (long)logBuffer;
                }
                WriteName(a + 48, name);
                *(int*)(a + 68) = expectedAttachType;
                int fd = Call(PROG_LOAD, a, out int errno);
                if (fd >= 0) return fd;
                if (attempt == 1 || errno is 1 or 13)
                {
                    string text = System.Text.Encoding.ASCII.GetString(log).TrimEnd('\0').Trim();
                    throw Fail("bpf(BPF_PROG_LOAD)", errno, "CAP_BPF and CAP_NET_ADMIN",
                        text.Length > 0 ? $" The verifier said: {text}" : "");
                }
            }
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>BPF_LINK_CREATE: attaches a program to an interface; the link lives as long as its descriptors.</summary>
    public static int CreateLink(int programFd, int ifindex, int attachType, int flags, out int errno)
    {
        byte* a = stackalloc byte[AttrSize];
        new Span<byte>(a, AttrSize).Clear();
        *(int*)a = programFd;
        *(int*)(a + 4) = ifindex;
        *(int*)(a + 8) = attachType;
        *(int*)(a + 12) = flags;
        return Call(LINK_CREATE, a, out errno);
    }

    /// <summary>BPF_OBJ_GET_INFO_BY_FD into <paramref name="info"/>.</summary>
    public static bool GetInfo(int fd, Span<byte> info)
    {
        byte* a = stackalloc byte[AttrSize];
        new Span<byte>(a, AttrSize).Clear();
        fixed (byte* p = info)
        {
            *(int*)a = fd;
            *(int*)(a + 4) = info.Length;
            *(long*)(a + 8) = (long)p;
            return Call(OBJ_GET_INFO_BY_FD, a, out _) == 0;
        }
    }

    public static int NextLinkId(int start)
    {
        byte* a = stackalloc byte[AttrSize];
        new Span<byte>(a, AttrSize).Clear();
        *(int*)a = start;
        return Call(LINK_GET_NEXT_ID, a, out _) == 0 ? *(int*)(a + 4) : 0;
    }

    public static int LinkFromId(int id) => FdById(LINK_GET_FD_BY_ID, id);
    public static int ProgramFromId(int id) => FdById(PROG_GET_FD_BY_ID, id);
    public static int MapFromId(int id) => FdById(MAP_GET_FD_BY_ID, id);

    private static int FdById(int command, int id)
    {
        byte* a = stackalloc byte[AttrSize];
        new Span<byte>(a, AttrSize).Clear();
        *(int*)a = id;
        return Call(command, a, out _);
    }

    private static void WriteName(byte* at, string name)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(name);
        bytes.AsSpan(0, Math.Min(bytes.Length, 15)).CopyTo(new Span<byte>(at, 16));
    }

    public static NetmapException Fail(string call, int errno, string capability, string detail = "") => errno switch
    {
        1 or 13 => new NetmapException(NetmapError.PermissionDenied,
            $"{call} was refused: {LibC.Describe(errno)}. This needs {capability}: {Errors.CapabilityHint("cap_bpf,cap_net_admin,cap_net_raw")}.{detail}") { Errno = errno },
        _ => Errors.FromErrno(call, errno, detail),
    };
}
