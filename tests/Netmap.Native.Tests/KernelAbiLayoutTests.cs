using System.Runtime.InteropServices;
using Netmap.Native.Abi;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>The control-request structs against the sizes and offsets of sys/net/netmap.h (API 14) on LP64 Linux.</summary>
public unsafe class KernelAbiLayoutTests
{
    [Fact]
    public void StructSizesMatchTheHeader()
    {
        Assert.Equal(32, sizeof(NmReqPortInfoGet));
        Assert.Equal(64, sizeof(NmReqValeAttach));
        Assert.Equal(8, sizeof(NmReqValeDetach));
        Assert.Equal(8, sizeof(NmReqValeList));
        Assert.Equal(16, sizeof(NmReqValeNewIf));
        Assert.Equal(64, sizeof(NmReqPoolsInfo));
        Assert.Equal(96, sizeof(NmReqOptExtmem));
    }

    [Theory]
    [InlineData(typeof(NmReqPortInfoGet), "MemorySize", 0)]
    [InlineData(typeof(NmReqPortInfoGet), "TxSlots", 8)]
    [InlineData(typeof(NmReqPortInfoGet), "RxSlots", 12)]
    [InlineData(typeof(NmReqPortInfoGet), "TxRings", 16)]
    [InlineData(typeof(NmReqPortInfoGet), "RxRings", 18)]
    [InlineData(typeof(NmReqPortInfoGet), "HostTxRings", 20)]
    [InlineData(typeof(NmReqPortInfoGet), "HostRxRings", 22)]
    [InlineData(typeof(NmReqPortInfoGet), "MemoryId", 24)]
    [InlineData(typeof(NmReqValeAttach), "Register", 0)]
    [InlineData(typeof(NmReqValeAttach), "PortIndex", 56)]
    [InlineData(typeof(NmReqValeDetach), "PortIndex", 0)]
    [InlineData(typeof(NmReqValeList), "BridgeIndex", 0)]
    [InlineData(typeof(NmReqValeList), "PortIndex", 4)]
    [InlineData(typeof(NmReqValeNewIf), "TxSlots", 0)]
    [InlineData(typeof(NmReqValeNewIf), "RxSlots", 4)]
    [InlineData(typeof(NmReqValeNewIf), "TxRings", 8)]
    [InlineData(typeof(NmReqValeNewIf), "RxRings", 10)]
    [InlineData(typeof(NmReqValeNewIf), "MemoryId", 12)]
    [InlineData(typeof(NmReqPoolsInfo), "MemorySize", 0)]
    [InlineData(typeof(NmReqPoolsInfo), "MemoryId", 8)]
    [InlineData(typeof(NmReqPoolsInfo), "InterfacePoolOffset", 16)]
    [InlineData(typeof(NmReqPoolsInfo), "InterfacePoolTotal", 24)]
    [InlineData(typeof(NmReqPoolsInfo), "InterfacePoolObjectSize", 28)]
    [InlineData(typeof(NmReqPoolsInfo), "RingPoolOffset", 32)]
    [InlineData(typeof(NmReqPoolsInfo), "RingPoolTotal", 40)]
    [InlineData(typeof(NmReqPoolsInfo), "RingPoolObjectSize", 44)]
    [InlineData(typeof(NmReqPoolsInfo), "BufferPoolOffset", 48)]
    [InlineData(typeof(NmReqPoolsInfo), "BufferPoolTotal", 56)]
    [InlineData(typeof(NmReqPoolsInfo), "BufferPoolObjectSize", 60)]
    [InlineData(typeof(NmReqOptExtmem), "Option", 0)]
    [InlineData(typeof(NmReqOptExtmem), "UserPointer", 24)]
    [InlineData(typeof(NmReqOptExtmem), "Info", 32)]
    public void FieldOffsetsMatchTheHeader(Type type, string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf(type, field));

    [Fact]
    public void RequestAndOptionCodesMatchTheHeader()
    {
        // The NETMAP_REQ_* enum counts from REGISTER = 1 in this order.
        Assert.Equal(1, (int)RequestType.Register);
        Assert.Equal(2, (int)RequestType.PortInfoGet);
        Assert.Equal(3, (int)RequestType.ValeAttach);
        Assert.Equal(4, (int)RequestType.ValeDetach);
        Assert.Equal(5, (int)RequestType.ValeList);
        Assert.Equal(6, (int)RequestType.PortHeaderSet);
        Assert.Equal(7, (int)RequestType.PortHeaderGet);
        Assert.Equal(8, (int)RequestType.ValeNewInterface);
        Assert.Equal(9, (int)RequestType.ValeDeleteInterface);
        Assert.Equal(10, (int)RequestType.ValePollingEnable);
        Assert.Equal(11, (int)RequestType.ValePollingDisable);
        Assert.Equal(12, (int)RequestType.PoolsInfoGet);
        Assert.Equal(1u, (uint)RequestOptionType.ExternalMemory);
        Assert.Equal(3u, (uint)RequestOptionType.Csb);
        Assert.Equal(5u, (uint)RequestOptionType.Offsets);
    }
}
