using System.Runtime.InteropServices;
using System.Text;
using Netmap.Native.Abi;

namespace Netmap.Native.Kernel;

/// <summary>
/// One NIOCCTRL request in a single block of unmanaged, zeroed memory: the nmreq_header at offset 0,
/// its body right after it, then the options. The header's nr_body and nr_options (and each option's
/// nro_next) hold the absolute addresses of those parts, as the kernel expects.
/// </summary>
public sealed unsafe class RequestBlock : IDisposable
{
    private readonly int _bodySize;
    private int _used;
    private byte* _block;

    /// <summary>Offset of the body in the block: right after the 88-byte header.</summary>
    public const int BodyOffset = NmReqHeader.Size;

    /// <summary>Builds a request of <paramref name="type"/> for the port <paramref name="name"/> with room for a body and options.</summary>
    public RequestBlock(RequestType type, string name, int bodySize, int optionBytes = 0)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        if (bytes.Length >= NetmapAbi.RequestNameSize || bytes.Contains((byte)0))
            throw new NetmapException(NetmapError.InvalidRequest,
                $"'{name}' is too long for netmap: names hold at most {NetmapAbi.RequestNameSize - 1} bytes.");
        _bodySize = Align8(bodySize);
        Size = BodyOffset + _bodySize + Align8(optionBytes);
        _block = (byte*)NativeMemory.AllocZeroed((nuint)Size);
        _used = BodyOffset + _bodySize;
        Header->Version = NetmapAbi.ApiVersion;
        Header->RequestType = type;
        bytes.CopyTo(new Span<byte>(Header->Name, NetmapAbi.RequestNameSize));
        if (bodySize > 0) Header->Body = (ulong)(nint)(_block + BodyOffset);
    }

    /// <summary>Bytes in the block.</summary>
    public int Size { get; }
    /// <summary>The nmreq_header.</summary>
    public NmReqHeader* Header => (NmReqHeader*)Live;
    /// <summary>The whole block as the kernel sees it.</summary>
    public ReadOnlySpan<byte> Bytes => new(Live, Size);
    /// <summary>Address of the block (pointers inside it are absolute).</summary>
    public nint Address => (nint)Live;

    /// <summary>The body, read as <typeparamref name="T"/>.</summary>
    public T* Body<T>() where T : unmanaged
    {
        if (sizeof(T) > _bodySize) throw new InvalidOperationException($"The body has {_bodySize} bytes, not {sizeof(T)}.");
        return (T*)(Live + BodyOffset);
    }

    /// <summary>The name in the header (the kernel writes names back, for example in VALE_LIST).</summary>
    public string Name
    {
        get
        {
            var span = new ReadOnlySpan<byte>(Header->Name, NetmapAbi.RequestNameSize);
            int end = span.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
        }
        set
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            var span = new Span<byte>(Header->Name, NetmapAbi.RequestNameSize);
            span.Clear();
            bytes.AsSpan(0, Math.Min(bytes.Length, NetmapAbi.RequestNameSize - 1)).CopyTo(span);
        }
    }

    /// <summary>
    /// Places an option of type <typeparamref name="T"/> (which starts with an nmreq_option) after the
    /// body and the options before it, and links it at the end of the chain.
    /// </summary>
    public T* AddOption<T>(RequestOptionType type) where T : unmanaged
    {
        int size = Align8(sizeof(T));
        if (_used + size > Size) throw new InvalidOperationException("No room left for the option; size the block for it.");
        var option = (NmReqOption*)(Live + _used);
        _used += size;
        option->Type = type;
        ulong* link = &Header->Options;
        while (*link != 0) link = &((NmReqOption*)(nint)(*link))->Next;
        *link = (ulong)(nint)option;
        return (T*)option;
    }

    /// <summary>The options in chain order.</summary>
    public IEnumerable<nint> Options()
    {
        var list = new List<nint>();
        for (ulong p = Header->Options; p != 0; p = ((NmReqOption*)(nint)p)->Next) list.Add((nint)p);
        return list;
    }

    private byte* Live => _block != null ? _block : throw new ObjectDisposedException(nameof(RequestBlock));

    private static int Align8(int n) => (n + 7) & ~7;

    /// <summary>Frees the block.</summary>
    public void Dispose()
    {
        if (_block == null) return;
        NativeMemory.Free(_block);
        _block = null;
    }
}
