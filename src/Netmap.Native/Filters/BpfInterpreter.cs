using System.Buffers.Binary;
using static Netmap.Native.Filters.BpfOpcodes;

namespace Netmap.Native.Filters;

/// <summary>
/// Runs a validated classic BPF program instruction by instruction, as libpcap's <c>bpf_filter</c>
/// does: loads past the captured bytes and division by a zero X return 0 (reject), shifts by X of
/// 32 or more give 0; a backward jump (which libpcap's own interpreter allows) is charged against
/// <see cref="BpfOpcodes.ExecutionBound"/>. The reference the compiled form is checked against, and the fallback where
/// the runtime cannot generate code.
/// </summary>
internal static unsafe class BpfInterpreter
{
    /// <summary>Runs <paramref name="program"/> (already validated) and returns its RET value; 0 means reject.</summary>
    public static uint Run(BpfInstruction[] program, byte* packet, uint captured, uint wireLength)
    {
        uint a = 0, x = 0;
        int budget = ExecutionBound;
        uint* mem = stackalloc uint[MemoryWords];
        for (int i = 0; i < MemoryWords; i++)
            mem[i] = 0;

        for (int pc = 0; ; pc++)
        {
            BpfInstruction insn = program[pc];
            uint k = insn.K;
            switch (insn.Code)
            {
                case Ld | W | Abs: if (!Fits(k, 4, captured)) return 0; a = LoadWord(packet + k); break;
                case Ld | H | Abs: if (!Fits(k, 2, captured)) return 0; a = LoadHalf(packet + k); break;
                case Ld | B | Abs: if (!Fits(k, 1, captured)) return 0; a = packet[k]; break;
                case Ld | W | Ind: if (!Fits((ulong)x + k, 4, captured)) return 0; a = LoadWord(packet + x + k); break;
                case Ld | H | Ind: if (!Fits((ulong)x + k, 2, captured)) return 0; a = LoadHalf(packet + x + k); break;
                case Ld | B | Ind: if (!Fits((ulong)x + k, 1, captured)) return 0; a = packet[(ulong)x + k]; break;
                case Ld | W | Len: a = wireLength; break;
                case Ld | Imm: a = k; break;
                case Ld | Mem: a = mem[k]; break;
                case Ldx | W | Len: x = wireLength; break;
                case Ldx | Imm: x = k; break;
                case Ldx | Mem: x = mem[k]; break;
                case Ldx | B | Msh: if (!Fits(k, 1, captured)) return 0; x = (uint)(packet[k] & 0xf) << 2; break;
                case St: mem[k] = a; break;
                case Stx: mem[k] = x; break;
                case Misc | Tax: x = a; break;
                case Misc | Txa: a = x; break;
                case Ret | K: return k;
                case Ret | RetA: return a;
                case Alu | Neg: a = (uint)-(int)a; break;
                case Jmp | Ja:
                    // libpcap sign-extends k: protochain jumps backward; the bound keeps a loop finite
                    int target = pc + 1 + (int)k;
                    if (target <= pc && (budget -= pc - target + 1) < 0) return 0;
                    pc = target - 1;
                    break;
                default:
                    if (Class(insn.Code) == Alu)
                    {
                        uint operand = Source(insn.Code) == X ? x : k;
                        if (Operation(insn.Code) is Div or Mod && operand == 0)
                            return 0;
                        a = Arithmetic(Operation(insn.Code), a, operand);
                    }
                    else
                    {
                        uint operand = Source(insn.Code) == X ? x : k;
                        pc += Condition(Operation(insn.Code), a, operand) ? insn.JumpTrue : insn.JumpFalse;
                    }
                    break;
            }
        }
    }

    private static bool Fits(ulong offset, uint size, uint captured) => offset + size <= captured;

    private static uint LoadWord(byte* p) => BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(p, 4));

    private static uint LoadHalf(byte* p) => BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(p, 2));

    private static uint Arithmetic(int operation, uint a, uint operand) => operation switch
    {
        Add => a + operand,
        Sub => a - operand,
        Mul => a * operand,
        Div => a / operand,
        Mod => a % operand,
        Or => a | operand,
        And => a & operand,
        Xor => a ^ operand,
        Lsh => operand < 32 ? a << (int)operand : 0,
        Rsh => operand < 32 ? a >> (int)operand : 0,
        _ => throw new InvalidOperationException($"ALU operation 0x{operation:x2} got past validation."),
    };

    private static bool Condition(int operation, uint a, uint operand) => operation switch
    {
        Jeq => a == operand,
        Jgt => a > operand,
        Jge => a >= operand,
        Jset => (a & operand) != 0,
        _ => throw new InvalidOperationException($"Jump operation 0x{operation:x2} got past validation."),
    };
}
