using System.Runtime.InteropServices;

namespace Netmap.Native.Interop;

/// <summary>The offloads of an interface that change what a capture sees, read and set with the legacy ethtool ioctls.</summary>
internal static unsafe class Ethtool
{
    private const ulong SIOCETHTOOL = 0x8946;

    /// <summary>ethtool -K name, and the get/set command pair.</summary>
    public static readonly (string Name, uint Get, uint Set)[] Offloads =
    [
        ("rx", 0x14, 0x15),   // rx checksumming
        ("tx", 0x16, 0x17),   // tx checksumming
        ("tso", 0x1e, 0x1f),
        ("gso", 0x23, 0x24),
        ("gro", 0x2b, 0x2c),
    ];

    /// <summary>The offloads that are on, by ethtool name; those the driver does not report are left out.</summary>
    public static Dictionary<string, bool> Read(string ifname)
    {
        var states = new Dictionary<string, bool>();
        WithSocket(socket =>
        {
            foreach (var (name, get, _) in Offloads)
                if (Call(socket, ifname, get, 0, out uint value)) states[name] = value != 0;
        });
        return states;
    }

    /// <summary>Sets each offload named to the state given; returns the names it could not set.</summary>
    public static List<string> Write(string ifname, IReadOnlyDictionary<string, bool> states)
    {
        var failed = new List<string>();
        WithSocket(socket =>
        {
            foreach (var (name, _, set) in Offloads)
                if (states.TryGetValue(name, out bool on) && !Call(socket, ifname, set, on ? 1u : 0u, out _)) failed.Add(name);
        });
        return failed;
    }

    private static bool Call(int socket, string ifname, uint command, uint data, out uint result)
    {
        uint* value = stackalloc uint[2];
        value[0] = command;
        value[1] = data;
        byte* request = stackalloc byte[40];
        new Span<byte>(request, 40).Clear();
        System.Text.Encoding.ASCII.GetBytes(ifname).CopyTo(new Span<byte>(request, 15));
        *(nint*)(request + 16) = (nint)value;
        bool ok = LibC.Ioctl(socket, SIOCETHTOOL, request) == 0;
        result = value[1];
        return ok;
    }

    private static void WithSocket(Action<int> action)
    {
        int socket = LibC.Socket(2, 2 | 0x80000, 0);
        if (socket < 0) throw Errors.FromErrno("socket(AF_INET)", Marshal.GetLastPInvokeError());
        try { action(socket); }
        finally { LibC.Close(socket); }
    }
}
