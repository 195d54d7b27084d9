using System.Runtime.InteropServices;
using Netmap.Native.Abi;
using Netmap.Native.PortNames;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>The C# structs against the sizes and offsets of sys/net/netmap.h (API 14) on LP64 Linux.</summary>
public unsafe class AbiLayoutTests
{
    [Fact]
    public void StructSizesMatchTheHeader()
    {
        Assert.Equal(16, sizeof(NetmapSlot));
        Assert.Equal(256, sizeof(NetmapRing));
        Assert.Equal(56, sizeof(NetmapInterface));
        Assert.Equal(88, sizeof(NmReqHeader));
        Assert.Equal(56, sizeof(NmReqRegister));
        Assert.Equal(24, sizeof(NmReqOption));
    }

    [Theory]
    [InlineData(typeof(NetmapSlot), "BufferIndex", 0)]
    [InlineData(typeof(NetmapSlot), "Length", 4)]
    [InlineData(typeof(NetmapSlot), "Flags", 6)]
    [InlineData(typeof(NetmapSlot), "Pointer", 8)]
    [InlineData(typeof(NetmapRing), "BufferOffset", 0)]
    [InlineData(typeof(NetmapRing), "NumSlots", 8)]
    [InlineData(typeof(NetmapRing), "BufferSize", 12)]
    [InlineData(typeof(NetmapRing), "RingId", 16)]
    [InlineData(typeof(NetmapRing), "Direction", 18)]
    [InlineData(typeof(NetmapRing), "Head", 20)]
    [InlineData(typeof(NetmapRing), "Cur", 24)]
    [InlineData(typeof(NetmapRing), "Tail", 28)]
    [InlineData(typeof(NetmapRing), "Flags", 32)]
    [InlineData(typeof(NetmapRing), "TimestampSeconds", 40)]
    [InlineData(typeof(NetmapRing), "TimestampMicroseconds", 48)]
    [InlineData(typeof(NetmapRing), "OffsetMask", 56)]
    [InlineData(typeof(NetmapRing), "BufferAlignment", 64)]
    [InlineData(typeof(NetmapRing), "Semaphore", 128)]
    [InlineData(typeof(NetmapInterface), "Name", 0)]
    [InlineData(typeof(NetmapInterface), "Version", 16)]
    [InlineData(typeof(NetmapInterface), "Flags", 20)]
    [InlineData(typeof(NetmapInterface), "TxRings", 24)]
    [InlineData(typeof(NetmapInterface), "RxRings", 28)]
    [InlineData(typeof(NetmapInterface), "ExtraBuffersHead", 32)]
    [InlineData(typeof(NetmapInterface), "HostTxRings", 36)]
    [InlineData(typeof(NetmapInterface), "HostRxRings", 40)]
    [InlineData(typeof(NetmapInterface), "Spare", 44)]
    [InlineData(typeof(NmReqHeader), "Version", 0)]
    [InlineData(typeof(NmReqHeader), "RequestType", 2)]
    [InlineData(typeof(NmReqHeader), "Reserved", 4)]
    [InlineData(typeof(NmReqHeader), "Name", 8)]
    [InlineData(typeof(NmReqHeader), "Options", 72)]
    [InlineData(typeof(NmReqHeader), "Body", 80)]
    [InlineData(typeof(NmReqOption), "Next", 0)]
    [InlineData(typeof(NmReqOption), "Type", 8)]
    [InlineData(typeof(NmReqOption), "Status", 12)]
    [InlineData(typeof(NmReqOption), "Size", 16)]
    [InlineData(typeof(NmReqRegister), "Offset", 0)]
    [InlineData(typeof(NmReqRegister), "MemorySize", 8)]
    [InlineData(typeof(NmReqRegister), "TxSlots", 16)]
    [InlineData(typeof(NmReqRegister), "RxSlots", 20)]
    [InlineData(typeof(NmReqRegister), "TxRings", 24)]
    [InlineData(typeof(NmReqRegister), "RxRings", 26)]
    [InlineData(typeof(NmReqRegister), "HostTxRings", 28)]
    [InlineData(typeof(NmReqRegister), "HostRxRings", 30)]
    [InlineData(typeof(NmReqRegister), "MemoryId", 32)]
    [InlineData(typeof(NmReqRegister), "RingId", 34)]
    [InlineData(typeof(NmReqRegister), "Mode", 36)]
    [InlineData(typeof(NmReqRegister), "ExtraBuffers", 40)]
    [InlineData(typeof(NmReqRegister), "Flags", 48)]
    public void FieldOffsetsMatchTheHeader(Type type, string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf(type, field));

    [Fact]
    public void IoctlNumbersAndConstantsMatchTheHeader()
    {
        Assert.Equal(0xC0586997u, NetmapAbi.NIOCCTRL);
        Assert.Equal(0x6994u, NetmapAbi.NIOCTXSYNC);
        Assert.Equal(0x6995u, NetmapAbi.NIOCRXSYNC);
        Assert.Equal(14, NetmapAbi.ApiVersion);
        Assert.Equal(0x0fff, NetmapAbi.RingMask);
        Assert.Equal(1, (int)RequestType.Register);
        Assert.Equal(12, (int)RequestType.PoolsInfoGet);
        Assert.Equal(15, (int)RequestType.CsbEnable);
        Assert.Equal(5, (int)RequestOptionType.Offsets);
    }

    [Fact]
    public void FlagValuesMatchTheHeader()
    {
        Assert.Equal(0x0001, (int)SlotFlags.BufferChanged);
        Assert.Equal(0x0002, (int)SlotFlags.Report);
        Assert.Equal(0x0004, (int)SlotFlags.Forward);
        Assert.Equal(0x0008, (int)SlotFlags.NoLearn);
        Assert.Equal(0x0010, (int)SlotFlags.Indirect);
        Assert.Equal(0x0020, (int)SlotFlags.MoreFragments);
        Assert.Equal(0x0040, (int)SlotFlags.TxMonitor);
        Assert.Equal(0x0002u, (uint)RingFlags.Timestamp);
        Assert.Equal(0x0004u, (uint)RingFlags.Forward);
        Assert.Equal(1u, (uint)RegisterMode.AllNic);
        Assert.Equal(2u, (uint)RegisterMode.Host);
        Assert.Equal(3u, (uint)RegisterMode.NicAndHost);
        Assert.Equal(4u, (uint)RegisterMode.OneNic);
        Assert.Equal(8u, (uint)RegisterMode.OneHost);
        Assert.Equal(0x100ul, (ulong)RegisterFlags.MonitorTx);
        Assert.Equal(0x200ul, (ulong)RegisterFlags.MonitorRx);
        Assert.Equal(0x400ul, (ulong)RegisterFlags.ZeroCopyMonitor);
        Assert.Equal(0x800ul, (ulong)RegisterFlags.Exclusive);
        Assert.Equal(0x2000ul, (ulong)RegisterFlags.RxRingsOnly);
        Assert.Equal(0x4000ul, (ulong)RegisterFlags.TxRingsOnly);
        Assert.Equal(0x20000ul, (ulong)RegisterFlags.NoTxPoll);
    }

    [Fact]
    public void BufferAndRingAddressingFollowsTheMacros()
    {
        // A ring at offset 4096 of a block, buffers from offset 65536, 2048 bytes each.
        byte[] block = new byte[65536 + 2048 * 4];
        fixed (byte* b = block)
        {
            var ring = (NetmapRing*)(b + 4096);
            ring->BufferOffset = 65536 - 4096;
            ring->BufferSize = 2048;
            Assert.Equal((nint)(b + 65536 + 3 * 2048), (nint)NetmapRing.Buffer(ring, 3));
            Assert.Equal((nint)(b + 4096 + 256 + 5 * 16), (nint)NetmapRing.Slot(ring, 5));

            var nifp = (NetmapInterface*)b;
            nifp->TxRings = 2; nifp->HostTxRings = 1; nifp->RxRings = 2; nifp->HostRxRings = 1;
            for (int i = 0; i < 6; i++) NetmapInterface.RingOffsets(nifp)[i] = 1000 + i * 100;
            Assert.Equal((nint)(b + 1200), (nint)NetmapInterface.TxRing(nifp, 2)); // the host TX ring follows the NIC ones
            Assert.Equal((nint)(b + 1300), (nint)NetmapInterface.RxRing(nifp, 0)); // RX rings follow all TX rings
            Assert.Equal((nint)(b + 1500), (nint)NetmapInterface.RxRing(nifp, 2));
        }
    }
}
