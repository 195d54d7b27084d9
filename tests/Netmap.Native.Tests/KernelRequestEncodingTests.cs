using System.Buffers.Binary;
using System.Text;
using Netmap.Native.Abi;
using Netmap.Native.Kernel;
using Netmap.Native.PortNames;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>
/// Every NIOCCTRL request, byte by byte, against the layout of sys/net/netmap.h: the expected bytes are
/// written at the header's offsets by hand, not through the structs under test.
/// </summary>
public unsafe class KernelRequestEncodingTests
{
    private const int Header = 88;

    /// <summary>An nmreq_header as netmap.h lays it out: nr_version@0, nr_reqtype@2, nr_reserved@4, nr_name[64]@8, nr_options@72, nr_body@80.</summary>
    private static byte[] ExpectedHeader(RequestBlock block, ushort reqtype, string name, int bodySize, ulong options = 0)
    {
        var e = new byte[block.Size];
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(0), 14);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(2), reqtype);
        Encoding.ASCII.GetBytes(name).CopyTo(e, 8);
        BinaryPrimitives.WriteUInt64LittleEndian(e.AsSpan(72), options);
        BinaryPrimitives.WriteUInt64LittleEndian(e.AsSpan(80), bodySize == 0 ? 0 : (ulong)(block.Address + Header));
        return e;
    }

    private static void Put16(byte[] e, int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(at), v);
    private static void Put32(byte[] e, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(at), v);
    private static void Put64(byte[] e, int at, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(e.AsSpan(at), v);

    [Fact]
    public void RegisterCarriesModeRingFlagsMemoryIdAndConf()
    {
        var spec = PortNameParser.Parse("netmap:eth0-1/T@2@conf:rings=3,slots=512,host-rings=1");
        using var block = KernelRequests.Register(spec, memoryId: 2);
        Assert.Equal(Header + 56, block.Size);
        var e = ExpectedHeader(block, 1, "eth0", 56);
        int b = Header;                          // struct nmreq_register
        Put32(e, b + 16, 512); Put32(e, b + 20, 512);     // nr_tx_slots, nr_rx_slots
        Put16(e, b + 24, 3); Put16(e, b + 26, 3);         // nr_tx_rings, nr_rx_rings
        Put16(e, b + 28, 1); Put16(e, b + 30, 1);         // nr_host_tx_rings, nr_host_rx_rings
        Put16(e, b + 32, 2);                              // nr_mem_id
        Put16(e, b + 34, 1);                              // nr_ringid
        Put32(e, b + 36, 4);                              // nr_mode = NR_REG_ONE_NIC
        Put64(e, b + 48, 0x4000);                         // nr_flags = NR_TX_RINGS_ONLY
        Assert.Equal(e, block.Bytes.ToArray());
    }

    [Theory]
    [InlineData("netmap:eth0", 1u, 0, 0ul)]                  // NR_REG_ALL_NIC
    [InlineData("netmap:eth0^", 2u, 0, 0ul)]                 // NR_REG_SW
    [InlineData("netmap:eth0*", 3u, 0, 0ul)]                 // NR_REG_NIC_SW
    [InlineData("netmap:eth0-5", 4u, 5, 0ul)]                // NR_REG_ONE_NIC
    [InlineData("netmap:eth0^2", 8u, 2, 0ul)]                // NR_REG_ONE_SW
    [InlineData("netmap:eth0/x", 1u, 0, 0x800ul)]            // NR_EXCLUSIVE
    [InlineData("netmap:eth0/R", 1u, 0, 0x2000ul)]           // NR_RX_RINGS_ONLY
    [InlineData("netmap:eth0/T", 1u, 0, 0x4000ul)]           // NR_TX_RINGS_ONLY
    [InlineData("netmap:eth0/t", 1u, 0, 0x100ul)]            // NR_MONITOR_TX
    [InlineData("netmap:eth0/r", 1u, 0, 0x200ul)]            // NR_MONITOR_RX
    [InlineData("netmap:eth0/rtz", 1u, 0, 0x700ul)]          // NR_MONITOR_RX | NR_MONITOR_TX | NR_ZCOPY_MON
    [InlineData("netmap:eth0-1/xR", 4u, 1, 0x2800ul)]
    public void RegisterEncodesEveryModeAndFlag(string name, uint mode, ushort ringId, ulong flags)
    {
        using var block = KernelRequests.Register(PortNameParser.Parse(name), 0);
        var bytes = block.Bytes;
        Assert.Equal(ringId, BinaryPrimitives.ReadUInt16LittleEndian(bytes[(Header + 34)..]));
        Assert.Equal(mode, BinaryPrimitives.ReadUInt32LittleEndian(bytes[(Header + 36)..]));
        Assert.Equal(flags, BinaryPrimitives.ReadUInt64LittleEndian(bytes[(Header + 48)..]));
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes[72..]));   // no options
    }

    [Fact]
    public void RegisterEncodesFlagsNamesCannotExpress()
    {
        var spec = new PortSpec { Name = "netmap:eth0", RequestName = "eth0", Mode = RegisterMode.AllNic, Flags = RegisterFlags.NoTxPoll | RegisterFlags.DoRxPoll };
        using var block = KernelRequests.Register(spec, 0);
        Assert.Equal(0x30000ul, BinaryPrimitives.ReadUInt64LittleEndian(block.Bytes[(Header + 48)..]));
        var nul = new PortSpec { Name = "x", RequestName = "x", Mode = RegisterMode.Null };
        using var nulBlock = KernelRequests.Register(nul, 1);
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(nulBlock.Bytes[(Header + 36)..]));
    }

    [Theory]
    [InlineData("netmap:p{1", "p{1")]
    [InlineData("netmap:p}1", "p}1")]
    [InlineData("vale0:a", "vale0:a")]
    [InlineData("vale1:b}3", "vale1:b}3")]
    public void RegisterNamesPipesAndValePortsAsTheKernelDoes(string name, string requestName)
    {
        using var block = KernelRequests.Register(PortNameParser.Parse(name), 0);
        var nameBytes = block.Bytes[8..72].ToArray();
        Assert.Equal(Encoding.ASCII.GetBytes(requestName), nameBytes[..requestName.Length]);
        Assert.All(nameBytes[requestName.Length..], x => Assert.Equal(0, x));
    }

    [Fact]
    public void RegisterWithExternalMemoryChainsTheExtmemOption()
    {
        var spec = PortNameParser.Parse("netmap:p{1@extmem:file=/f,if_num=4,if_size=1024,ring_num=8,ring_size=33024,buf_num=4096,buf_size=2048");
        using var block = KernelRequests.Register(spec, 0, new ExternalMemoryRegion((nint)0x7f0000000000, 64 << 20));
        Assert.Equal(Header + 56 + 96, block.Size);
        int o = Header + 56;                               // struct nmreq_opt_extmem, after the body
        var e = ExpectedHeader(block, 1, "p{1", 56, options: (ulong)(block.Address + o));
        Put32(e, Header + 36, 1);                          // nr_mode = NR_REG_ALL_NIC
        Put64(e, o + 0, 0);                                // nro_next: last option
        Put32(e, o + 8, 1);                                // nro_reqtype = NETMAP_REQ_OPT_EXTMEM
        Put64(e, o + 24, 0x7f0000000000);                  // nro_usrptr
        int i = o + 32;                                    // struct nmreq_pools_info nro_info
        Put64(e, i + 0, 64 << 20);                         // nr_memsize
        Put32(e, i + 24, 4); Put32(e, i + 28, 1024);       // if pool: objtotal, objsize
        Put32(e, i + 40, 8); Put32(e, i + 44, 33024);      // ring pool
        Put32(e, i + 56, 4096); Put32(e, i + 60, 2048);    // buf pool
        Assert.Equal(e, block.Bytes.ToArray());
        Assert.Equal(new[] { block.Address + o }, block.Options());
    }

    [Fact]
    public void OptionsChainInOrder()
    {
        using var block = new RequestBlock(RequestType.Register, "x", 56, 2 * 96);
        var first = block.AddOption<NmReqOptExtmem>(RequestOptionType.ExternalMemory);
        var second = block.AddOption<NmReqOptExtmem>(RequestOptionType.Offsets);
        Assert.Equal((ulong)(nint)first, block.Header->Options);
        Assert.Equal((ulong)(nint)second, first->Option.Next);
        Assert.Equal(0ul, second->Option.Next);
        Assert.Throws<InvalidOperationException>(() => block.AddOption<NmReqOptExtmem>(RequestOptionType.Csb));
    }

    [Fact]
    public void PortInfoAsksByNameOrByAllocator()
    {
        using var block = KernelRequests.PortInfo("vale0:a");
        var e = ExpectedHeader(block, 2, "vale0:a", 32);
        Assert.Equal(Header + 32, block.Size);
        Assert.Equal(e, block.Bytes.ToArray());

        using var byId = KernelRequests.PortInfo("", 1);
        var f = ExpectedHeader(byId, 2, "", 32);
        Put16(f, Header + 24, 1);                          // nr_mem_id
        Assert.Equal(f, byId.Bytes.ToArray());
    }

    [Fact]
    public void PoolsInfoCarriesTheMemoryId()
    {
        using var block = KernelRequests.PoolsInfo("p{1", 3);
        var e = ExpectedHeader(block, 12, "p{1", 64);
        Put16(e, Header + 8, 3);
        Assert.Equal(e, block.Bytes.ToArray());
    }

    [Fact]
    public void ValeListIsACursor()
    {
        using var block = KernelRequests.ValeList("", bridge: 2, port: 7);
        var e = ExpectedHeader(block, 5, "", 8);
        Put16(e, Header + 0, 2);                           // nr_bridge_idx
        Put32(e, Header + 4, 7);                           // nr_port_idx
        Assert.Equal(e, block.Bytes.ToArray());
        block.Name = "vale0:abc";
        Assert.Equal("vale0:abc", block.Name);
        block.Name = "";
        Assert.All(block.Bytes[8..72].ToArray(), x => Assert.Equal(0, x));
    }

    [Theory]
    [InlineData(false, 1u)]                                // vale-ctl -a: NR_REG_ALL_NIC
    [InlineData(true, 3u)]                                 // vale-ctl -h: NR_REG_NIC_SW
    public void ValeAttachRegistersNicOrNicAndHostRings(bool hostStack, uint mode)
    {
        using var block = KernelRequests.ValeAttach("vale0:eth0", hostStack);
        var e = ExpectedHeader(block, 3, "vale0:eth0", 64);
        Put32(e, Header + 36, mode);
        Assert.Equal(e, block.Bytes.ToArray());
    }

    [Fact]
    public void ValeDetachHasAnEmptyBody()
    {
        using var block = KernelRequests.ValeDetach("vale0:eth0");
        Assert.Equal(ExpectedHeader(block, 4, "vale0:eth0", 8), block.Bytes.ToArray());
    }

    [Fact]
    public void ValeNewInterfaceCarriesRingsSlotsAndMemory()
    {
        using var block = KernelRequests.ValeNewInterface("v0", txSlots: 256, rxSlots: 512, txRings: 2, rxRings: 4, memoryId: 5);
        var e = ExpectedHeader(block, 8, "v0", 16);
        Put32(e, Header + 0, 256); Put32(e, Header + 4, 512);
        Put16(e, Header + 8, 2); Put16(e, Header + 10, 4); Put16(e, Header + 12, 5);
        Assert.Equal(e, block.Bytes.ToArray());
    }

    [Fact]
    public void ValeDeleteInterfaceHasNoBody()
    {
        using var block = KernelRequests.ValeDeleteInterface("v0");
        Assert.Equal(Header, block.Size);
        Assert.Equal(ExpectedHeader(block, 9, "v0", 0), block.Bytes.ToArray());
    }

    [Fact]
    public void NamesLongerThanTheKernelHoldsAreRefused()
    {
        var ok = new string('a', 63);
        using (var block = KernelRequests.PortInfo(ok)) Assert.Equal(ok, block.Name);
        var e = Assert.Throws<NetmapException>(() => KernelRequests.PortInfo(new string('a', 64)));
        Assert.Equal(NetmapError.InvalidRequest, e.Error);
        Assert.Contains("63 bytes", e.Message);
    }

    [Fact]
    public void ConfRingCountsBeyondSixteenBitsAreRefused()
    {
        // The parser refuses such names; a spec built in code meets the same limit here.
        var spec = new PortSpec { Name = "netmap:eth0", RequestName = "eth0", Config = new PortConfig { TxRings = 70000 } };
        var e = Assert.Throws<NetmapException>(() => KernelRequests.Register(spec, 0));
        Assert.Contains("tx_rings=70000", e.Message);
    }
}
