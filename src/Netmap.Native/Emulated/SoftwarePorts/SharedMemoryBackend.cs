using Netmap.Native.Abi;
using Netmap.Native.Interop;
using Netmap.Native.PortNames;
using Netmap.Native.Ports;

namespace Netmap.Native.Emulated;

/// <summary>
/// Software ports in user space: netmap pipes and VALE switches, each one region file in shared
/// memory (NETMAPPS_SHM_DIR, default /dev/shm) with the netmap layout, so several processes can use
/// one pipe or switch at once.
/// </summary>
internal static class SharedMemoryBackend
{
    /// <summary>Ports a user-space VALE switch can hold.</summary>
    public const uint ValePortCapacity = 64;
    /// <summary>Pipes one parent name can hold at once (they share its region, as in netmap).</summary>
    public const uint PipeCapacity = 16;
    /// <summary>Monitor ports (/r, /t, /z) a region can hold besides its ordinary ports.</summary>
    public const uint MonitorCapacity = 8;
    private const uint MaxRings = 64, MaxSlots = 16384;

    /// <summary>The directory of the region files.</summary>
    public static string Directory =>
        Environment.GetEnvironmentVariable("NETMAPPS_SHM_DIR") is { Length: > 0 } dir ? dir : "/dev/shm";

    /// <summary>This user's private directory of region files (0700, <see cref="UserRegionDirectory"/>): pipe-NAME and vale-NAME.</summary>
    public static string UserDirectory => Path.Combine(Directory, $"netmapps-{LibC.GetUid()}");

    /// <summary>True when <see cref="UserDirectory"/> exists and is this user's own private directory (nothing else is read).</summary>
    private static bool UserDirectoryIsPrivate() =>
        LibC.PathOwnerAndMode(UserDirectory) is var (owner, mode) && owner == LibC.GetUid() && (mode & 0xF000) == 0x4000 && (mode & 0x3f) == 0;

    /// <summary>True for the ports this backend serves: pipe ends and VALE ports.</summary>
    public static bool Serves(PortSpec spec) => spec.IsVale || spec.Pipe != PipeEnd.None;

    /// <summary>
    /// The region files of this user whose names match <paramref name="pattern"/> ("pipe-*", "vale-*"), in
    /// order: the user's own regular files in its private directory; nothing while that directory is not
    /// private, and never a FIFO, a link or a region still being made.
    /// </summary>
    public static IReadOnlyList<string> OwnRegionFiles(string pattern = "*")
    {
        if (!UserDirectoryIsPrivate()) return Array.Empty<string>();
        try
        {
            return System.IO.Directory.EnumerateFiles(UserDirectory, pattern)
                .Where(f => !Path.GetFileName(f).Contains(".new", StringComparison.Ordinal)
                            && LibC.PathOwnerAndMode(f) is var (owner, mode) && owner == LibC.GetUid() && (mode & 0xF000) == 0x8000)
                .Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    /// <summary>Removes region files left by processes that died holding them.</summary>
    public static IReadOnlyList<string> SweepStaleRegions() =>
        UserDirectoryIsPrivate() ? SharedRegion.SweepStale(UserDirectory, "") : Array.Empty<string>();

    public static IPortDriver Open(PortSpec spec, CancellationToken cancel = default)
    {
        RefuseUnsupported(spec);
        var warnings = UserRegionDirectory.Ensure(UserDirectory);
        SweepStaleRegions();
        var geometry = GeometryFor(spec);
        if (spec.IsVale)
        {
            if (spec.Pipe != PipeEnd.None)
                throw new NetmapException(NetmapError.NotSupported,
                    $"'{spec.Name}': pipes of VALE ports are not supported in emulated mode; use a pipe of its own, such as 'netmap:{spec.PortName}{{{spec.PipeId}'.");
            string path = Path.Combine(UserDirectory, $"vale-{CheckFileName(spec.SwitchName!, spec)}");
            uint port = 0;
            RingSpan tx = default, rx = default;
            var region = SharedRegion.Attach(path, geometry, (reg, created, holder) =>
            {
                CheckGeometry(reg, spec, created);
                port = IsMonitor(spec) ? AttachMonitor(reg, spec, FindValePort(reg, spec), holder, cancel) : AttachValePort(reg, spec, holder, cancel);
                (tx, rx) = ClaimRings(reg, spec, port, holder);
                return port;
            }, cancel);
            return Finish(region, spec, port, tx, rx, IsMonitor(spec) ? $"monitor of a port of user-space VALE switch '{spec.SwitchName}'" : $"user-space VALE switch '{spec.SwitchName}' in shared memory", warnings);
        }
        else
        {
            // Every pipe of one parent lives in the parent's region, so buffers can be swapped between them.
            string path = Path.Combine(UserDirectory, $"pipe-{CheckFileName(spec.PortName, spec)}");
            uint port = 0;
            RingSpan tx = default, rx = default;
            var region = SharedRegion.Attach(path, geometry, (reg, created, holder) =>
            {
                CheckGeometry(reg, spec, created);
                port = IsMonitor(spec) ? AttachMonitor(reg, spec, FindPipeEnd(reg, spec), holder, cancel)
                                       : AttachPipe(reg, spec, holder, cancel) + (spec.Pipe == PipeEnd.Master ? 0u : 1u);
                (tx, rx) = ClaimRings(reg, spec, port, holder);
                return port;
            }, cancel);
            return Finish(region, spec, port, tx, rx, IsMonitor(spec) ? "monitor of a user-space netmap pipe end" : "user-space netmap pipe in shared memory", warnings);
        }
    }

    private static IPortDriver Finish(SharedRegion region, PortSpec spec, uint port, RingSpan tx, RingSpan rx, string mechanism, IReadOnlyList<string> warnings)
    {
        var driver = new SharedMemoryPort(region, port, tx, rx, mechanism, spec.Name) { OpenWarnings = [.. warnings, .. OtherUsers(region.Path)] };
        ushort memoryId = driver.MemoryId;   // read before Dispose unmaps the header
        if (spec.MemoryId != 0 && spec.MemoryId != memoryId)
        {
            driver.Dispose();
            throw new NetmapException(NetmapError.InvalidRequest,
                $"'{spec.Name}' asks for memory region {spec.MemoryId}, but this {(spec.IsVale ? "switch" : "pipe")} lives in region {memoryId}. Leave '@{spec.MemoryId}' out.");
        }
        return driver;
    }

    private static void RefuseUnsupported(PortSpec spec)
    {
        if (spec.ExternalMemory is not null)
            throw new NetmapException(NetmapError.NotSupported, $"'{spec.Name}': @extmem needs the netmap kernel module; emulated ports allocate their own shared memory.");
        if (spec.ShareWith is not null)
            throw new NetmapException(NetmapError.NotSupported, $"'{spec.Name}': @share needs the netmap kernel module; in emulated mode the two ends of a pipe already share one region.");
        if (spec.Mode is RegisterMode.Host or RegisterMode.OneHost or RegisterMode.NicAndHost)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"'{spec.Name}': {(spec.IsVale ? "VALE ports" : "pipes")} have no host rings, so '^' and '*' do not apply. Open '{spec.Prefix}:{spec.RequestName.Split(':')[^1]}' or add '-N' for one ring pair.");
        if (spec.Mode is RegisterMode.PipeMaster or RegisterMode.PipeSlave or RegisterMode.Null)
            throw new NetmapException(NetmapError.NotSupported, $"'{spec.Name}': register mode {spec.Mode} is not supported in emulated mode.");
    }

    private static RegionGeometry GeometryFor(PortSpec spec)
    {
        var c = spec.Config;
        uint tx = c?.TxRings ?? 1, rx = c?.RxRings ?? tx;
        uint txSlots = c?.TxSlots ?? NetmapAbi.DefaultSlots, rxSlots = c?.RxSlots ?? txSlots;
        if (c?.TxRings is null && c?.RxRings is not null) tx = rx;
        if (c?.TxSlots is null && c?.RxSlots is not null) txSlots = rxSlots;
        if (c?.HostTxRings is > 0 || c?.HostRxRings is > 0)
            throw new NetmapException(NetmapError.InvalidRequest, $"'{spec.Name}': software ports have no host rings; leave host-rings out of @conf.");
        if (tx != rx || txSlots != rxSlots)
            throw new NetmapException(NetmapError.NotSupported,
                $"'{spec.Name}': in emulated mode a {(spec.IsVale ? "VALE port" : "pipe")} has as many TX as RX rings and one slot count; use @conf:rings=N,slots=M.");
        if (tx is 0 or > MaxRings || (spec.IsVale && tx != 1))
            throw new NetmapException(NetmapError.InvalidRequest,
                spec.IsVale ? $"'{spec.Name}': emulated VALE ports have one ring pair; leave rings out of @conf."
                            : $"'{spec.Name}': rings must be between 1 and {MaxRings}, not {tx}.");
        if (txSlots is < 4 or > MaxSlots)
            throw new NetmapException(NetmapError.InvalidRequest, $"'{spec.Name}': slots must be between 4 and {MaxSlots}, not {txSlots}.");
        return spec.IsVale
            ? new RegionGeometry(RegionKind.ValeSwitch, ValePortCapacity + MonitorCapacity, 1, 1, txSlots, NetmapAbi.DefaultBufferSize, MonitorPorts: MonitorCapacity)
            : new RegionGeometry(RegionKind.Pipe, 2 * PipeCapacity + MonitorCapacity, tx, tx, txSlots, NetmapAbi.DefaultBufferSize, MonitorPorts: MonitorCapacity);
    }

    /// <summary>A region that exists already keeps its shape; asking for another one explicitly is an error.</summary>
    private static void CheckGeometry(SharedRegion region, PortSpec spec, bool created)
    {
        if (created || spec.Config is null) return;
        var have = region.Layout.Geometry;
        var want = GeometryFor(spec);
        if (have.TxRingsPerPort != want.TxRingsPerPort || have.Slots != want.Slots)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"'{spec.Name}': this {(spec.IsVale ? "switch" : "pipe")} exists already with {have.TxRingsPerPort} ring pair(s) of {have.Slots} slots; open it without @conf, or close every port on it first.");
    }

    private static bool IsMonitor(PortSpec spec) => spec.IsMonitor || spec.Flags.HasFlag(RegisterFlags.ZeroCopyMonitor);

    private static unsafe int FindPipeEnd(SharedRegion region, PortSpec spec)
    {
        string name = spec.RequestName;
        for (uint p = 0; p < region.Layout.Geometry.FirstMonitorPort; p++)
        {
            var entry = region.Layout.Port(region.Base, p);
            if (entry->InUse != 0 && GetName(entry) == name) return (int)p;
        }
        return -1;
    }

    private static unsafe int FindValePort(SharedRegion region, PortSpec spec)
    {
        for (uint p = 0; p < region.Layout.Geometry.FirstMonitorPort; p++)
        {
            var entry = region.Layout.Port(region.Base, p);
            if (entry->InUse != 0 && GetName(entry) == spec.PortName) return (int)p;
        }
        return -1;
    }

    /// <summary>
    /// A monitor port: its RX rings get copies of what the watched port receives (/r), transmits (/t)
    /// or both (/rt, /z), without taking anything from it.
    /// </summary>
    private static unsafe uint AttachMonitor(SharedRegion region, PortSpec spec, int watched, int holder, CancellationToken cancel)
    {
        var layout = region.Layout;
        if (watched < 0)
            throw new NetmapException(NetmapError.NotFound,
                $"'{spec.Name}': there is no open '{spec.RequestName}' to monitor; open it first, then the monitor.");
        for (uint p = layout.Geometry.FirstMonitorPort; p < layout.Geometry.PortCapacity; p++)
        {
            var entry = layout.Port(region.Base, p);
            if (entry->InUse != 0) continue;
            ResetRings(region, p, holder, cancel);
            bool both = spec.Flags.HasFlag(RegisterFlags.ZeroCopyMonitor) && !spec.IsMonitor;
            entry->MonitorFlags = (both || spec.Flags.HasFlag(RegisterFlags.MonitorRx) ? 1 : 0) | (both || spec.Flags.HasFlag(RegisterFlags.MonitorTx) ? 2 : 0);
            SetName(region, p, spec.Name);
            entry->MonitorOf = watched + 1;
            Volatile.Write(ref entry->InUse, 1);
            return p;
        }
        throw new NetmapException(NetmapError.Busy, $"'{spec.Name}': this region already has {layout.Geometry.MonitorPorts} monitors open.");
    }

    /// <summary>The first port of the pipe's pair (master 2k, slave 2k+1): the one it has, or a free pair.</summary>
    private static unsafe uint AttachPipe(SharedRegion region, PortSpec spec, int holder, CancellationToken cancel)
    {
        var layout = region.Layout;
        string master = $"{spec.PortName}{{{spec.PipeId}";
        int free = -1;
        for (uint p = 0; p + 1 < layout.Geometry.FirstMonitorPort; p += 2)
        {
            var entry = layout.Port(region.Base, p);
            if (entry->InUse != 0 && GetName(entry) == master) return p;
            if (entry->InUse == 0 && layout.Port(region.Base, p + 1)->InUse == 0 && free < 0) free = (int)p;
        }
        if (free < 0)
            throw new NetmapException(NetmapError.Busy,
                $"'{spec.Name}': '{spec.PortName}' already has {layout.Geometry.FirstMonitorPort / 2} pipes open; close some, or use another parent name.");
        uint first = (uint)free;
        ResetRings(region, first, holder, cancel);
        ResetRings(region, first + 1, holder, cancel);
        SetName(region, first, master);
        SetName(region, first + 1, $"{spec.PortName}}}{spec.PipeId}");
        Volatile.Write(ref layout.Port(region.Base, first + 1)->InUse, 1);
        Volatile.Write(ref layout.Port(region.Base, first)->InUse, 1);
        return first;
    }

    private static unsafe uint AttachValePort(SharedRegion region, PortSpec spec, int holder, CancellationToken cancel)
    {
        var layout = region.Layout;
        string name = spec.PortName;
        int free = -1;
        for (uint p = 0; p < layout.Geometry.FirstMonitorPort; p++)
        {
            var entry = layout.Port(region.Base, p);
            if (entry->InUse != 0 && GetName(entry) == name) return p;
            if (entry->InUse == 0 && free < 0) free = (int)p;
        }
        if (free < 0)
            throw new NetmapException(NetmapError.Busy, $"'{spec.Name}': switch '{spec.SwitchName}' already has {layout.Geometry.FirstMonitorPort} ports.");
        uint port = (uint)free;
        ResetRings(region, port, holder, cancel);
        SetName(region, port, name);
        layout.Port(region.Base, port)->AttachedInterface = 0;
        layout.Port(region.Base, port)->DetachRequested = 0;
        Volatile.Write(ref layout.Port(region.Base, port)->InUse, 1);
        return port;
    }

    /// <summary>Puts a port's rings in their first state, under its RX ring's producer lock so that no delivery is half way in.</summary>
    private static unsafe void ResetRings(SharedRegion region, uint port, int holder, CancellationToken cancel)
    {
        var layout = region.Layout;
        var rx = layout.Kring(region.Base, layout.RingIndex(port, tx: false, 0));
        SharedSpinLock.Enter(&rx->ProducerLock, region, holder, cancel);
        layout.ResetRings(region.Base, port);
        SharedSpinLock.Exit(&rx->ProducerLock);
    }

    /// <summary>Marks the rings the spec asks for as held by <paramref name="holder"/>; refuses rings held by another live port.</summary>
    private static unsafe (RingSpan Tx, RingSpan Rx) ClaimRings(SharedRegion region, PortSpec spec, uint port, int holder)
    {
        var layout = region.Layout;
        uint pairs = layout.Geometry.TxRingsPerPort;
        RingSpan all = new(0, pairs);
        RingSpan chosen = all;
        if (spec.Mode == RegisterMode.OneNic)
        {
            if (spec.RingId >= pairs)
                throw new NetmapException(NetmapError.InvalidRequest,
                    $"'{spec.Name}': ring {spec.RingId} is out of range; this {(spec.IsVale ? "port" : "pipe end")} has {pairs} ring pair(s), numbered 0 to {pairs - 1}.");
            chosen = new RingSpan(spec.RingId, spec.RingId + 1u);
        }
        RingSpan tx = spec.Flags.HasFlag(RegisterFlags.RxRingsOnly) || IsMonitor(spec) ? new RingSpan(0, 0) : chosen;
        RingSpan rx = spec.Flags.HasFlag(RegisterFlags.TxRingsOnly) ? new RingSpan(0, 0) : chosen;
        var indices = new List<uint>();
        for (uint r = tx.First; r < tx.End; r++) indices.Add(layout.RingIndex(port, true, r));
        for (uint r = rx.First; r < rx.End; r++) indices.Add(layout.RingIndex(port, false, r));
        foreach (uint index in indices)
        {
            int owner = layout.Kring(region.Base, index)->Owner;
            if (owner != 0 && region.IsHolderAlive(owner - 1))
            {
                var ring = layout.View(region.Base, index, spec.Name);
                int pid = layout.Holder(region.Base, owner - 1)->Pid;
                bool here = pid == Environment.ProcessId;
                string who = here ? "another port opened in this process: use that one, or close it first" : $"another open port (process {pid}): close that port";
                throw new NetmapException(NetmapError.Busy,
                    $"'{spec.Name}': {(ring.IsTx ? "TX" : "RX")} ring {ring.Number} is held by {who}, or open another ring with '-N'.")
                    { Remedy = here ? NetmapRemedy.ListOpenPorts : NetmapRemedy.None };
            }
        }
        foreach (uint index in indices)
        {
            var ring = layout.Ring(region.Base, index);
            var k = layout.Kring(region.Base, index);
            ring->Head = ring->Cur = k->HwCur;
            ring->Tail = ring->Direction == 0 ? k->HwTail : k->UserTail;
            Volatile.Write(ref k->Owner, holder + 1);
        }
        Interlocked.Increment(ref layout.Port(region.Base, port)->Opens);
        return (tx, rx);
    }

    private static unsafe void SetName(SharedRegion region, uint port, string name)
    {
        var entry = region.Layout.Port(region.Base, port);
        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        var span = new Span<byte>(entry->Name, PortEntry.NameSize);
        span.Clear();
        bytes.AsSpan(0, Math.Min(bytes.Length, PortEntry.NameSize - 1)).CopyTo(span);
        var nifp = region.Layout.Interface(region.Base, port);
        var ifName = new Span<byte>(nifp->Name, NetmapInterface.NameSize);
        ifName.Clear();
        bytes.AsSpan(0, Math.Min(bytes.Length, NetmapInterface.NameSize - 1)).CopyTo(ifName);
    }

    private static unsafe string GetName(PortEntry* entry)
    {
        var span = new ReadOnlySpan<byte>(entry->Name, PortEntry.NameSize);
        int end = span.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    /// <summary>
    /// Pipes and switches belong to one user in emulated mode (the uid is in the file name): when another
    /// user has one of the same name, say that this port is not connected to theirs.
    /// </summary>
    /// <remarks>Other users' directories are private: only root sees into them, so only root is told.</remarks>
    private static string[] OtherUsers(string path)
    {
        string kindAndName = Path.GetFileName(path), mine = UserDirectory;
        var uids = new List<string>();
        try
        {
            foreach (var dir in System.IO.Directory.EnumerateDirectories(Directory, "netmapps-*"))
            {
                string uid = Path.GetFileName(dir)["netmapps-".Length..];
                if (uid.Length > 0 && uid.All(char.IsAsciiDigit) && dir != mine && File.Exists(Path.Combine(dir, kindAndName))) uids.Add(uid);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        if (uids.Count == 0) return Array.Empty<string>();
        string what = kindAndName.StartsWith("vale-", StringComparison.Ordinal) ? "VALE switch" : "pipe parent";
        string name = kindAndName[5..];
        return [$"uid {string.Join(", ", uids)} also has a {what} '{name}': in emulated mode pipes and VALE switches belong to one user, so this port is on your own '{name}', not connected to theirs."];
    }

    /// <summary>
    /// Names become file names: only letters, digits, '_' and '.', not starting with '.', at most 15
    /// characters. The parser already refuses other names; this guards specs built by hand.
    /// </summary>
    private static string CheckFileName(string name, PortSpec spec)
    {
        if (name.Length is 0 or > 15 || name[0] == '.' || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
            throw new NetmapException(NetmapError.InvalidRequest,
                $"'{PortNameException.Printable(spec.Name)}': the name '{PortNameException.Printable(name)}' cannot name a software port in emulated mode; use up to 15 letters, digits, '_' and '.' (not first).");
        return name;
    }
}
