using Netmap.Native.Rings;
using Netmap.Native.Abi;
using Netmap.Native.Interop;
using Netmap.Native.PortNames;
using Netmap.Native.Ports;

namespace Netmap.Native.Kernel;

/// <summary>
/// A port registered with the netmap kernel module: one /dev/netmap descriptor, the region mapped from
/// it (or the @extmem file), the syncs as ioctls and the wait as poll(2). The rings are the kernel's
/// own, walked by the common code.
/// </summary>
internal sealed unsafe class KernelPort : IPortDriver
{
    private const short POLLERR = 0x8, POLLNVAL = 0x20;
    private const int ENOMEM = 12, EINVAL = 22, EOPNOTSUPP = 95;
    private const int PollSliceMs = 100;

    private readonly KernelDevice _device;
    private readonly ExternalMemoryFile? _external;
    private readonly nint _memory;
    private readonly ulong _mappedSize;
    private readonly ulong _interfaceOffset;
    private readonly List<NetmapWarning> _warnings = new();
    private readonly InterfaceDrops? _interfaceDrops;
    private bool _disposed;

    private KernelPort(PortSpec spec, KernelDevice device, ExternalMemoryFile? external, nint memory, in NmReqRegister reply)
    {
        Name = spec.Name;
        _device = device;
        _external = external;
        _memory = memory;
        _mappedSize = external is null ? reply.MemorySize : 0;
        _interfaceOffset = reply.Offset;
        MemoryId = reply.MemoryId;
        RegionSize = (long)(external?.Region.Size ?? reply.MemorySize);
        Region = external is null ? $"{NetmapBackends.KernelDevice} memory region {reply.MemoryId}" : $"{external.Path} (external memory, region {reply.MemoryId})";
        Mechanism = Describe(spec);
        TxSlotsHeldByReceiver = spec.Pipe != PipeEnd.None;
        _interfaceDrops = IsInterfacePort(spec) ? InterfaceDrops.Start(spec.PortName) : null;
        var counts = new PortRingCounts(reply.TxRings, reply.RxRings, reply.HostTxRings, reply.HostRxRings);
        (TxRings, RxRings) = CheckRingsAreMapped(RegisteredRings.Compute(spec.Mode, spec.RingId, spec.Flags, counts));
        if (spec.Mode == RegisterMode.OneNic && (spec.RingId >= counts.TxRings) != (spec.RingId >= counts.RxRings))
            _warnings.Add($"'{Name}' has {counts.TxRings} TX and {counts.RxRings} RX rings: where ring {spec.RingId} does not exist, the kernel bound ring 0.");
    }

    /// <summary>
    /// Registers <paramref name="spec"/> with the kernel and maps its memory. <paramref name="disableOffloads"/>
    /// is an emulated-mode option: here it only earns a warning.
    /// </summary>
    public static IPortDriver Open(PortSpec spec, bool disableOffloads = false)
    {
        ushort memoryId = ResolveMemoryId(spec);
        ExternalMemoryFile? external = null;
        KernelDevice? device = null;
        try
        {
            if (spec.ExternalMemory is { } e) external = ExternalMemoryFile.Map(e.File, spec.Name);
            device = KernelDevice.Open(spec.Name);
            using var request = KernelRequests.Register(spec, memoryId, external?.Region);
            int errno = device.TryControl(request);
            if (errno != 0) throw RegisterFailure(spec, request, memoryId, errno, device, external);
            var reply = *request.Body<NmReqRegister>();
            nint memory = external?.Region.Address ?? device.Map(reply.MemorySize, spec.Name);
            var port = new KernelPort(spec, device, external, memory, reply);
            if (disableOffloads && !spec.IsVale && spec.Pipe == PipeEnd.None)
                port._warnings.Add($"The port turns offloads off in emulated mode only; with the kernel module turn them off yourself: ethtool -K {spec.PortName} gro off gso off tso off rx off tx off.");
            return port;
        }
        catch
        {
            device?.Dispose();
            external?.Dispose();
            throw;
        }
    }

    public string Name { get; }
    public NetmapInterface* Interface => (NetmapInterface*)(Live + (long)_interfaceOffset);
    public PortMode Mode => PortMode.Native;
    public string Mechanism { get; }
    public ushort MemoryId { get; }
    public string Region { get; }
    public long RegionSize { get; }
    public byte* MemoryStart => Live;
    public long MemoryLength => RegionSize;
    public RingSpan TxRings { get; }
    public RingSpan RxRings { get; }
    /// <summary>Kernel pipes swap buffers: a txsync gives every frame to the peer, whose release frees the TX slots.</summary>
    public bool TxSlotsHeldByReceiver { get; }
    /// <summary>
    /// On an interface, the receive drops its driver counted since the port opened (<see cref="InterfaceDrops"/>).
    /// Null (not available) on pipes, VALE ports, monitors and null ports: netmap counts no drops a program can read.
    /// </summary>
    public long? Dropped => _interfaceDrops?.SinceStart;
    public IReadOnlyList<NetmapWarning> Warnings => _warnings;

    public void TxSync()
    {
        int errno = Device.Sync(tx: true);
        if (errno != 0) throw KernelErrors.Map(errno, KernelOperation.Sync, Name);
    }

    public void RxSync()
    {
        int errno = Device.Sync(tx: false);
        if (errno != 0) throw KernelErrors.Map(errno, KernelOperation.Sync, Name);
    }

    /// <summary>One poll(2) over this port's descriptor (POLLIN: rxsync) and <paramref name="to"/>'s (POLLOUT: txsync), as netmap's bridge syncs.</summary>
    public bool TrySyncForward(IPortDriver to)
    {
        if (to is not KernelPort peer) return false;
        int result = KernelDevice.PollPair(Device, peer.Device);
        if (result < 0 && -result != LibC.EINTR) throw KernelErrors.Map(-result, KernelOperation.Poll, Name);
        if (result < 0) return false; // interrupted: the caller syncs each port
        if ((result & (POLLERR | POLLNVAL)) != 0) throw RingReset();
        return true;
    }

    /// <summary>Kernel ports hand a forwarded batch over in the wait that follows it (<see cref="WaitForward"/>).</summary>
    public bool CanWaitForward(IPortDriver to) => to is KernelPort;

    /// <summary>
    /// bridge's wait: one poll(2) over both descriptors that hands what was put in <paramref name="to"/>'s TX ring
    /// over (netmap's poll txsyncs a descriptor's TX rings whatever it asks for) and sleeps until this port's RX
    /// rings have frames. Only where <see cref="CanWaitForward"/> said so (<paramref name="to"/> is a kernel port).
    /// </summary>
    public bool WaitForward(IPortDriver to, int timeoutMs, CancellationToken cancel) => PollInSlices((KernelPort)to, LibC.POLLIN, timeoutMs, cancel);

    public bool Wait(WaitDirection direction, int timeoutMs, CancellationToken cancel) =>
        PollInSlices(null, direction == WaitDirection.Receive ? LibC.POLLIN : LibC.POLLOUT, timeoutMs, cancel);

    /// <summary>
    /// poll(2) for <paramref name="wanted"/> on this port's descriptor (with <paramref name="peer"/>'s beside it, asking
    /// nothing of it: its TX rings are synced all the same), in slices of at most 100 ms, so that cancellation is seen;
    /// the kernel syncs the rings in poll. True when the events came, false at the timeout or a cancellation.
    /// </summary>
    private bool PollInSlices(KernelPort? peer, short wanted, int timeoutMs, CancellationToken cancel)
    {
        long deadline = Deadline.AfterMs(timeoutMs);
        while (true)
        {
            long left = deadline - Environment.TickCount64;
            int slice = (int)Math.Clamp(left, 0, PollSliceMs);
            int result = peer is null ? Device.Poll(wanted, slice) : KernelDevice.PollPair(Device, peer.Device, 0, slice);
            if (result < 0 && -result != LibC.EINTR) throw KernelErrors.Map(-result, KernelOperation.Poll, Name);
            if (result > 0 && (result & wanted) != 0) return true;
            if (result > 0 && (result & (POLLERR | POLLNVAL)) != 0) throw RingReset();
            if (left <= 0 || cancel.IsCancellationRequested) return false;
        }
    }

    private NetmapException RingReset() => new(NetmapError.Corrupted,
        $"'{Name}': the netmap module reported an error on poll: a ring's head or cur was out of range, and the kernel reset the ring.");

    private KernelDevice Device => _disposed ? throw Closed() : _device;
    private byte* Live => _disposed ? throw Closed() : (byte*)_memory;

    private NetmapException Closed() => new(NetmapError.Closed, $"The port '{Name}' is closed.");

    /// <summary>
    /// The kernel gives every ring this port bound a non-zero offset in ring_ofs. Should the computed spans
    /// disagree, the mapped rings win: the first run of non-zero offsets per direction, as libnetmap finds them.
    /// </summary>
    private (RingSpan Tx, RingSpan Rx) CheckRingsAreMapped((RingSpan Tx, RingSpan Rx) computed)
    {
        var nifp = Interface;
        long* offsets = NetmapInterface.RingOffsets(nifp);
        uint txAll = nifp->TxRings + nifp->HostTxRings, rxAll = nifp->RxRings + nifp->HostRxRings;
        var mapped = (Tx: MappedRun(offsets, txAll), Rx: MappedRun(offsets + txAll, rxAll));
        if (mapped == computed) return computed;
        _warnings.Add($"'{Name}': the kernel mapped TX rings {mapped.Tx} and RX rings {mapped.Rx}, not {computed.Tx} and {computed.Rx} as the name asks; using the mapped rings.");
        return mapped;
    }

    private static RingSpan MappedRun(long* offsets, uint count)
    {
        uint first = 0;
        while (first < count && offsets[first] == 0) first++;
        uint end = first;
        while (end < count && offsets[end] != 0) end++;
        return first == count ? default : new RingSpan(first, end);
    }

    private static bool IsInterfacePort(PortSpec spec) =>
        !spec.IsVale && spec.Pipe == PipeEnd.None && !spec.IsMonitor && !spec.Flags.HasFlag(RegisterFlags.ZeroCopyMonitor) && spec.Mode != RegisterMode.Null;

    private static string Describe(PortSpec spec)
    {
        if (spec.IsMonitor || spec.Flags.HasFlag(RegisterFlags.ZeroCopyMonitor))
            return $"netmap kernel monitor of '{spec.RequestName}'{(spec.Flags.HasFlag(RegisterFlags.ZeroCopyMonitor) ? " (zero-copy)" : "")}";
        if (spec.IsVale)
            return spec.Pipe == PipeEnd.None ? $"netmap kernel VALE switch '{spec.SwitchName}'" : $"netmap kernel pipe of VALE port '{spec.SwitchName}:{spec.PortName}'";
        if (spec.Pipe != PipeEnd.None) return $"netmap kernel pipe ({(spec.Pipe == PipeEnd.Master ? "master" : "slave")} end)";
        if (spec.Mode == RegisterMode.Null) return "netmap kernel null port";
        return $"netmap kernel module on interface '{spec.PortName}' (native driver, or netmap's emulated adapter)";
    }

    /// <summary>The memory id to ask for: @N, or the region of the @share port (found with NETMAP_REQ_PORT_INFO_GET).</summary>
    private static ushort ResolveMemoryId(PortSpec spec)
    {
        if (spec.ShareWith is null) return spec.MemoryId;
        var shared = PortNameParser.Parse(spec.ShareWith);
        ushort id = KernelControl.GetPortInfo(shared.RequestName).MemoryId;
        if (spec.MemoryId != 0 && spec.MemoryId != id)
            throw new NetmapException(NetmapError.InvalidRequest,
                $"'{spec.Name}' asks for memory region {spec.MemoryId} and to share the region of '{spec.ShareWith}', which is region {id}. Give one of them.");
        return id;
    }

    private static NetmapException RegisterFailure(PortSpec spec, RequestBlock request, ushort memoryId, int errno, KernelDevice device, ExternalMemoryFile? external)
    {
        foreach (nint option in request.Options())
        {
            var o = (NmReqOption*)option;
            if (o->Type != RequestOptionType.ExternalMemory) continue;
            if (o->Status == 0 && errno == ENOMEM && external is not null)
                return KernelErrors.Map(errno, KernelOperation.Register, spec.Name, DescribeExternalPools(spec, external));
            if (o->Status == 0) continue;
            if (o->Status == EOPNOTSUPP)
                return new NetmapException(NetmapError.NotSupported,
                    $"'{spec.Name}': this netmap module was built without external memory support, so @extmem cannot be used. Leave @extmem out, or build netmap with './configure --enable-extmem'.") { Errno = (int)o->Status };
            return KernelErrors.Map((int)o->Status, KernelOperation.Register, spec.Name,
                $"The @extmem option was refused: '{external?.Path}' ({external?.Region.Size} bytes) cannot hold the pools asked for; make the file larger or the pools smaller (if_num, ring_num, buf_num).");
        }
        using (var probe = KernelRequests.PortInfo("", 1))
        {
            if (KernelControl.IsApiMismatch(errno) && KernelControl.IsApiMismatch(device.TryControl(probe)))
                return KernelErrors.ApiMismatch(spec.Name, errno);
        }
        string? detail = errno switch
        {
            ENOMEM => DescribePools(spec, memoryId),
            EINVAL => DescribeRings(spec),
            _ => null,
        };
        return KernelErrors.Map(errno, KernelOperation.Register, spec.Name, detail);
    }

    /// <summary>
    /// For ENOMEM when netmap accepted the @extmem region but could not build the port's rings and buffers in
    /// it. On Linux netmap pins the region page by page and drops every pool object that spans two pages
    /// which are not physically consecutive; a ring of 1024 slots is 5 pages, and the pages of an ordinary
    /// file (tmpfs, page cache) lie scattered, while huge pages do not. The kernel does not write the pool
    /// shapes back, so the message gives what was asked and, for the rest, netmap's defaults for external
    /// memory (netmap_min_priv_params in netmap_mem2.c).
    /// </summary>
    private static string DescribeExternalPools(PortSpec spec, ExternalMemoryFile external)
    {
        const uint PageSize = 4096;
        var asked = spec.ExternalMemory;
        uint ringSize = asked?.RingSize ?? 5 * PageSize;
        string has = $"netmap took '{external.Path}' ({external.Region.Size} B) as the region but could not build the port's rings and buffers in it: " +
            $"it holds {asked?.InterfaceCount ?? 2} interfaces of {asked?.InterfaceSize ?? 1024} B, {asked?.RingCount ?? 4} rings of {ringSize} B and " +
            $"{(asked?.BufferCount is { } n ? n.ToString() : "4098 or more")} buffers of {asked?.BufferSize ?? 2048} B (netmap's defaults for what @extmem leaves out), and a pipe takes 4 rings, two per end.";
        if (external.HugePageSize is { } huge)
            return $"{has} The file is on hugetlbfs ({huge} B pages): ask for more rings or buffers (ring_num=N, buf_num=N) or make the file larger.";
        return $"{has} In external memory netmap uses a ring or buffer that spans pages only where those pages are physically consecutive; " +
            $"a ring of {ringSize} B spans {(ringSize + PageSize - 1) / PageSize} pages, and '{external.Path}' is not on hugetlbfs, so its pages lie scattered and such rings are dropped. " +
            "Put the file on hugetlbfs ('echo 64 > /proc/sys/vm/nr_hugepages; mount -t hugetlbfs none /dev/hugepages; truncate -s 64M /dev/hugepages/FILE'), or ask for more rings (ring_num=N).";
    }

    /// <summary>For ENOMEM: the pools of the allocator the port would use, else the global allocator's.</summary>
    private static string DescribePools(PortSpec spec, ushort memoryId)
    {
        try
        {
            var pools = KernelControl.GetPools(spec.RequestName, memoryId);
            return $"Memory region {pools[0].MemoryId} of '{spec.RequestName}' has " +
                string.Join(", ", pools.Select(p => $"{p.Objects} {p.Pool.ToLowerInvariant()} of {p.ObjectSize} B")) + ".";
        }
        catch (NetmapException)
        {
            return ModuleParameters.DescribeGlobalPools();
        }
    }

    /// <summary>For EINVAL: what the port has, and which part of the request does not fit it.</summary>
    private static string? DescribeRings(PortSpec spec)
    {
        KernelPortInfo info;
        try { info = KernelControl.GetPortInfo(spec.RequestName); }
        catch (NetmapException) { return null; }
        string has = $"'{spec.RequestName}' has {info.TxRings} TX and {info.RxRings} RX rings, {info.HostTxRings} host TX and {info.HostRxRings} host RX rings.";
        if (spec.IsMonitor || spec.Flags.HasFlag(RegisterFlags.ZeroCopyMonitor))
            return $"A monitor (/t, /r, /z) needs '{spec.RequestName}' to be open in netmap mode by another port first. {has}";
        return spec.Mode switch
        {
            RegisterMode.OneNic when spec.RingId >= Math.Max(info.TxRings, info.RxRings) => $"Ring {spec.RingId} does not exist: {has}",
            RegisterMode.OneHost when spec.RingId >= Math.Max(info.HostTxRings, info.HostRxRings) => $"Host ring {spec.RingId} does not exist: {has}",
            RegisterMode.Host or RegisterMode.NicAndHost or RegisterMode.OneHost when spec.Pipe != PipeEnd.None || spec.IsVale =>
                $"Pipes and VALE ports have no host rings ('^', '*'): {has}",
            _ => has,
        };
    }

    /// <summary>Unmaps the region and closes the descriptor (the kernel unregisters the port).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_mappedSize > 0) LibC.MUnmap(_memory, (nuint)_mappedSize);
        _device.Dispose();
        _external?.Dispose();
    }
}
