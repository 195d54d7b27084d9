using Netmap.Native.Filters;
using Xunit;

namespace Netmap.Native.Tests;

public class FilterValidationTests
{
    private static BpfInstruction I(int code, uint k = 0, byte jt = 0, byte jf = 0) => new((ushort)code, jt, jf, k);

    private static readonly BpfInstruction Accept = I(0x06, 0xffff);
    private static readonly BpfInstruction Reject = I(0x06, 0);

    private static FilterException Refused(params BpfInstruction[] program) =>
        Assert.Throws<FilterException>(() => PacketFilter.FromProgram(program));

    [Fact]
    public void AcceptsAWellFormedProgram()
    {
        // ldh [12]; jeq #0x800 jt 0 jf 1; ret #65535; ret #0
        var filter = PacketFilter.FromProgram([I(0x28, 12), I(0x15, 0x800, 0, 1), Accept, Reject]);
        Assert.Equal(4, filter.Program.Count);
        Assert.Null(filter.Expression);
    }

    [Fact]
    public void RefusesAnEmptyProgram()
    {
        var e = Refused();
        Assert.Contains("empty", e.Message);
        Assert.Equal(NetmapError.InvalidRequest, e.Error);
    }

    [Fact]
    public void RefusesAProgramThatDoesNotEndWithRet()
    {
        var e = Refused(I(0x28, 12), I(0x00, 1));
        Assert.Equal(1, e.InstructionIndex);
        Assert.Contains("does not end with a RET", e.Message);
    }

    [Fact]
    public void RefusesAConditionalJumpPastTheEnd()
    {
        var e = Refused(I(0x28, 12), I(0x15, 0x800, 0, 2), Accept, Reject);
        Assert.Equal(1, e.InstructionIndex);
        Assert.Contains("lands outside the program", e.Message);
    }

    [Fact]
    public void RefusesAnUnconditionalJumpPastTheEnd()
    {
        Assert.Equal(0, Refused(I(0x05, 2), Accept, Reject).InstructionIndex);
        Assert.Equal(0, Refused(I(0x05, uint.MaxValue), Accept, Reject).InstructionIndex); // no wrap-around backwards
    }

    [Theory]
    [InlineData(0x0007 | 0x40)] // misc with an unknown operation
    [InlineData(0x0e)]          // ret X is not a thing
    [InlineData(0x0020 | 0x18)] // load with the reserved size bits
    [InlineData(0x04 | 0xb0)]   // ALU operation 0xb0
    [InlineData(0x05 | 0x50)]   // jump operation 0x50
    [InlineData(0x8c)]          // neg with X source
    [InlineData(0x0d)]          // ja with X source
    [InlineData(0x1234)]
    public void RefusesUnknownOpcodes(int code)
    {
        var e = Refused(I(code), Accept);
        Assert.Equal(0, e.InstructionIndex);
        Assert.Contains("unknown opcode", e.Message);
    }

    [Theory]
    [InlineData(0x34)] // div #0
    [InlineData(0x94)] // mod #0
    public void RefusesDivisionByConstantZero(int code) =>
        Assert.Contains("division or modulo by the constant zero", Refused(I(0x00, 7), I(code, 0), Accept).Message);

    [Theory]
    [InlineData(0x64)] // lsh #32
    [InlineData(0x74)] // rsh #32
    public void RefusesConstantShiftsOf32OrMore(int code) => Assert.Contains("shift", Refused(I(code, 32), Accept).Message);

    [Theory]
    [InlineData(0x02)] // st M[16]
    [InlineData(0x03)] // stx M[16]
    [InlineData(0x60)] // ld M[16]
    [InlineData(0x61)] // ldx M[16]
    public void RefusesScratchIndexesOf16OrMore(int code) =>
        Assert.Contains("scratch memory index 16", Refused(I(code, 16), Accept).Message);

    [Fact]
    public void RefusesReadingScratchMemoryNotStoredOnEveryPath()
    {
        // Only the false branch of the jeq stores M[3]; the read after the join is unsafe.
        var e = Refused(I(0x28, 12), I(0x15, 0x800, 1, 0), I(0x02, 3), I(0x60, 3), Accept);
        Assert.Equal(3, e.InstructionIndex);
        Assert.Contains("M[3]", e.Message);
        // Storing on both paths is fine.
        PacketFilter.FromProgram([I(0x28, 12), I(0x15, 0x800, 1, 0), I(0x02, 3), I(0x02, 3), I(0x60, 3), Accept]);
    }

    [Fact]
    public void RefusesProgramsLongerThan4096Instructions()
    {
        var program = Enumerable.Repeat(I(0x00, 1), 4096).Append(Accept).ToArray();
        Assert.Contains("4096", Refused(program).Message);
    }

    [Fact]
    public void FilterExceptionIsANetmapException() =>
        Assert.IsAssignableFrom<NetmapException>(Refused(I(0x1234), Accept));
}
