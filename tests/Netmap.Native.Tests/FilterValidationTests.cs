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
        Assert.Equal(1, Refused(I(0x00, 1), I(0x05, unchecked((uint)-3)), Accept, Reject).InstructionIndex); // before the start
    }

    [Fact]
    public unsafe void RunsABackwardJumpButStopsALoopThatNeverEnds()
    {
        // ja -1 jumps to itself forever; both runners give up after the bound and reject the packet
        BpfInstruction[] forever = [I(0x05, uint.MaxValue), Accept];
        byte[] frame = new byte[60];
        foreach (var filter in new[] { PacketFilter.FromProgram(forever), PacketFilter.FromProgramInterpreted(forever) })
        {
            fixed (byte* p = frame)
            {
                Assert.Equal(0u, filter.Run(p, frame.Length, frame.Length));
                Assert.Equal(0u, filter.Interpret(p, frame.Length, frame.Length));
            }
        }
        // a loop that ends: count A up to 5 with a backward jump, then return it
        BpfInstruction[] counting = [I(0x00, 0), I(0x04, 1), I(0x15, 5, 1, 0), I(0x05, unchecked((uint)-3)), I(0x16)];
        fixed (byte* p = frame)
        {
            Assert.Equal(5u, PacketFilter.FromProgram(counting).Run(p, frame.Length, frame.Length));
            Assert.Equal(5u, PacketFilter.FromProgram(counting).Interpret(p, frame.Length, frame.Length));
        }
    }

    [Fact]
    public void RefusesAScratchReadThatABackwardJumpReachesUnstored()
    {
        // 0 ld #0; 1 jeq #0 -> 2 else 4; 2 st M[1]; 3 ja -> 5; 4 ja -> 1 (back, M[1] not stored); ... 5 ld M[1]
        // Forward only, M[1] would look stored at 5; the back edge from 4 into 1 makes the path 1->4->1->2 fine,
        // but 1's false edge reaches 4 and the loop never stores before 5 only through 2, so 5 is safe:
        PacketFilter.FromProgram([I(0x00, 0), I(0x15, 0, 0, 2), I(0x02, 1), I(0x05, 1), I(0x05, unchecked((uint)-4)), I(0x60, 1), Accept]);
        // Here 1's false edge skips the store, joins at 4, and the back edge at 5 carries that unstored path into the load at 3;
        // the first (forward) pass still thinks M[3] is stored at 3, the second sees the back edge.
        var e = Refused(I(0x00, 0), I(0x15, 0, 0, 2), I(0x02, 3), I(0x60, 3), I(0x15, 99, 0, 1), I(0x05, unchecked((uint)-3)), Accept);
        Assert.Equal(3, e.InstructionIndex);
        Assert.Contains("M[3]", e.Message);
    }

    [Theory]
    [InlineData("tcp\0 and udp", 4)]
    [InlineData("\u0001udp", 1)]
    [InlineData("udp port 53\u007f", 12)]
    public void RefusesControlCharactersInAFilterAndSaysWhere(string escaped, int position)
    {
        string expression = System.Text.RegularExpressions.Regex.Unescape(escaped);
        var e = Assert.Throws<FilterException>(() => PacketFilter.Compile(expression));
        Assert.Contains($"character {position} ", e.Message);
        Assert.Contains("control character", e.Message);
        Assert.DoesNotContain(e.Message, c => char.IsControl(c)); // shown escaped, never raw
    }

    [Fact]
    public void TakesTabsAndNewlinesAsWhiteSpace() => Assert.NotEmpty(PacketFilter.Compile("udp\n\tand port 53\r\n").Program);

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
