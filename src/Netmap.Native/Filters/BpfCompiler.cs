using System.Buffers.Binary;
using System.Reflection;
using System.Reflection.Emit;
using static Netmap.Native.Filters.BpfOpcodes;

namespace Netmap.Native.Filters;

/// <summary>The compiled form of a BPF program: returns the program's RET value, 0 for reject.</summary>
internal unsafe delegate uint BpfFunction(byte* packet, uint captured, uint wireLength);

/// <summary>
/// Translates a validated classic BPF program into a <see cref="DynamicMethod"/>, one IL sequence
/// per instruction: A, X and the scratch words become locals the JIT keeps in registers, BPF's
/// big-endian loads become unaligned loads plus a byte swap, each preceded by the bounds check
/// that makes an out-of-packet load reject the packet as libpcap's <c>bpf_filter</c> does.
/// </summary>
internal static unsafe class BpfCompiler
{
    private static readonly MethodInfo SwapUInt32 = typeof(BinaryPrimitives).GetMethod(nameof(BinaryPrimitives.ReverseEndianness), [typeof(uint)])!;
    private static readonly MethodInfo SwapUInt16 = typeof(BinaryPrimitives).GetMethod(nameof(BinaryPrimitives.ReverseEndianness), [typeof(ushort)])!;

    /// <summary>Compiles <paramref name="program"/>, which must have passed <see cref="BpfValidator"/>.</summary>
    public static BpfFunction Compile(BpfInstruction[] program)
    {
        var method = new DynamicMethod("bpf_filter", typeof(uint), [typeof(byte*), typeof(uint), typeof(uint)],
            typeof(BpfCompiler).Module, skipVisibility: true);
        new Emitter(method.GetILGenerator(), program).EmitProgram();
        return method.CreateDelegate<BpfFunction>();
    }

    private sealed class Emitter(ILGenerator il, BpfInstruction[] program)
    {
        private readonly LocalBuilder _a = il.DeclareLocal(typeof(uint));
        private readonly LocalBuilder _x = il.DeclareLocal(typeof(uint));
        private readonly LocalBuilder _offset = il.DeclareLocal(typeof(ulong));
        private readonly LocalBuilder?[] _memory = new LocalBuilder?[MemoryWords];
        private readonly Label[] _labels = Enumerable.Range(0, program.Length).Select(_ => il.DefineLabel()).ToArray();
        private readonly Label _reject = il.DefineLabel();

        private LocalBuilder? _budget;

        public void EmitProgram()
        {
            // the budget starts full; it is declared only when the program jumps backward
            bool backward = program.Any(insn => insn.Code == (Jmp | Ja) && (int)insn.K < 0);
            if (backward)
            {
                _budget = il.DeclareLocal(typeof(int));
                EmitConstant((uint)ExecutionBound);
                il.Emit(OpCodes.Stloc, _budget);
            }
            for (int pc = 0; pc < program.Length; pc++)
            {
                il.MarkLabel(_labels[pc]);
                EmitInstruction(pc, program[pc]);
            }
            il.MarkLabel(_reject);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Ret);
        }

        private void EmitInstruction(int pc, BpfInstruction insn)
        {
            uint k = insn.K;
            switch (insn.Code)
            {
                case Ld | W | Abs: EmitAbsoluteLoad(k, 4, _a); break;
                case Ld | H | Abs: EmitAbsoluteLoad(k, 2, _a); break;
                case Ld | B | Abs: EmitAbsoluteLoad(k, 1, _a); break;
                case Ld | W | Ind: EmitIndirectLoad(k, 4); break;
                case Ld | H | Ind: EmitIndirectLoad(k, 2); break;
                case Ld | B | Ind: EmitIndirectLoad(k, 1); break;
                case Ld | W | Len: il.Emit(OpCodes.Ldarg_2); il.Emit(OpCodes.Stloc, _a); break;
                case Ldx | W | Len: il.Emit(OpCodes.Ldarg_2); il.Emit(OpCodes.Stloc, _x); break;
                case Ld | Imm: EmitConstant(k); il.Emit(OpCodes.Stloc, _a); break;
                case Ldx | Imm: EmitConstant(k); il.Emit(OpCodes.Stloc, _x); break;
                case Ld | Mem: il.Emit(OpCodes.Ldloc, Memory(k)); il.Emit(OpCodes.Stloc, _a); break;
                case Ldx | Mem: il.Emit(OpCodes.Ldloc, Memory(k)); il.Emit(OpCodes.Stloc, _x); break;
                case Ldx | B | Msh: EmitHeaderLength(k); break;
                case St: il.Emit(OpCodes.Ldloc, _a); il.Emit(OpCodes.Stloc, Memory(k)); break;
                case Stx: il.Emit(OpCodes.Ldloc, _x); il.Emit(OpCodes.Stloc, Memory(k)); break;
                case Misc | Tax: il.Emit(OpCodes.Ldloc, _a); il.Emit(OpCodes.Stloc, _x); break;
                case Misc | Txa: il.Emit(OpCodes.Ldloc, _x); il.Emit(OpCodes.Stloc, _a); break;
                case Ret | K: EmitConstant(k); il.Emit(OpCodes.Ret); break;
                case Ret | RetA: il.Emit(OpCodes.Ldloc, _a); il.Emit(OpCodes.Ret); break;
                case Alu | Neg: il.Emit(OpCodes.Ldloc, _a); il.Emit(OpCodes.Neg); il.Emit(OpCodes.Stloc, _a); break;
                case Jmp | Ja: EmitJump(pc, pc + 1 + (int)k); break;
                default:
                    if (Class(insn.Code) == Alu)
                        EmitArithmetic(insn);
                    else
                        EmitConditionalJump(pc, insn);
                    break;
            }
        }

        // A backward jump (protochain's loop) charges the loop's length to the budget, rejecting when it runs out.
        private void EmitJump(int pc, int target)
        {
            if (target <= pc)
            {
                il.Emit(OpCodes.Ldloc, _budget!);
                EmitConstant((uint)(pc - target + 1));
                il.Emit(OpCodes.Sub);
                il.Emit(OpCodes.Dup);
                il.Emit(OpCodes.Stloc, _budget!);
                il.Emit(OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Blt, _reject);
            }
            il.Emit(OpCodes.Br, _labels[target]);
        }

        // A = P[k:size]; reject unless k + size <= captured.
        private void EmitAbsoluteLoad(uint k, int size, LocalBuilder target)
        {
            if (k > uint.MaxValue - (uint)size)
            {
                il.Emit(OpCodes.Br, _reject);
                return;
            }
            il.Emit(OpCodes.Ldarg_1);
            EmitConstant(k + (uint)size);
            il.Emit(OpCodes.Blt_Un, _reject);
            il.Emit(OpCodes.Ldarg_0);
            EmitConstant(k);
            il.Emit(OpCodes.Conv_U);
            il.Emit(OpCodes.Add);
            EmitBigEndianLoad(size);
            il.Emit(OpCodes.Stloc, target);
        }

        // A = P[X + k:size], with X + k computed in 64 bits so it cannot wrap.
        private void EmitIndirectLoad(uint k, int size)
        {
            il.Emit(OpCodes.Ldloc, _x);
            il.Emit(OpCodes.Conv_U8);
            il.Emit(OpCodes.Ldc_I8, (long)k);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Stloc, _offset);
            il.Emit(OpCodes.Ldloc, _offset);
            il.Emit(OpCodes.Ldc_I8, (long)size);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Conv_U8);
            il.Emit(OpCodes.Bgt_Un, _reject);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldloc, _offset);
            il.Emit(OpCodes.Conv_U);
            il.Emit(OpCodes.Add);
            EmitBigEndianLoad(size);
            il.Emit(OpCodes.Stloc, _a);
        }

        // X = 4 * (P[k] & 0xf), the IPv4 header length.
        private void EmitHeaderLength(uint k)
        {
            EmitAbsoluteLoad(k, 1, _x);
            il.Emit(OpCodes.Ldloc, _x);
            il.Emit(OpCodes.Ldc_I4_S, (sbyte)0xf);
            il.Emit(OpCodes.And);
            il.Emit(OpCodes.Ldc_I4_2);
            il.Emit(OpCodes.Shl);
            il.Emit(OpCodes.Stloc, _x);
        }

        private void EmitBigEndianLoad(int size)
        {
            switch (size)
            {
                case 1:
                    il.Emit(OpCodes.Ldind_U1);
                    break;
                case 2:
                    il.Emit(OpCodes.Unaligned, (byte)1);
                    il.Emit(OpCodes.Ldind_U2);
                    il.Emit(OpCodes.Call, SwapUInt16);
                    break;
                default:
                    il.Emit(OpCodes.Unaligned, (byte)1);
                    il.Emit(OpCodes.Ldind_U4);
                    il.Emit(OpCodes.Call, SwapUInt32);
                    break;
            }
        }

        private void EmitArithmetic(BpfInstruction insn)
        {
            int operation = Operation(insn.Code);
            bool fromX = Source(insn.Code) == X;
            if (fromX && operation is Div or Mod)
            {
                il.Emit(OpCodes.Ldloc, _x);
                il.Emit(OpCodes.Brfalse, _reject);
            }
            if (fromX && operation is Lsh or Rsh)
            {
                EmitShiftByX(operation == Lsh ? OpCodes.Shl : OpCodes.Shr_Un);
                return;
            }
            il.Emit(OpCodes.Ldloc, _a);
            EmitOperand(insn);
            il.Emit(operation switch
            {
                Add => OpCodes.Add,
                Sub => OpCodes.Sub,
                Mul => OpCodes.Mul,
                Div => OpCodes.Div_Un,
                Mod => OpCodes.Rem_Un,
                Or => OpCodes.Or,
                And => OpCodes.And,
                Xor => OpCodes.Xor,
                Lsh => OpCodes.Shl,
                _ => OpCodes.Shr_Un,
            });
            il.Emit(OpCodes.Stloc, _a);
        }

        // IL leaves shifts by 32 or more unspecified; BPF (libpcap) gives 0.
        private void EmitShiftByX(OpCode shift)
        {
            Label inRange = il.DefineLabel(), done = il.DefineLabel();
            il.Emit(OpCodes.Ldloc, _x);
            il.Emit(OpCodes.Ldc_I4_S, (sbyte)32);
            il.Emit(OpCodes.Blt_Un, inRange);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Stloc, _a);
            il.Emit(OpCodes.Br, done);
            il.MarkLabel(inRange);
            il.Emit(OpCodes.Ldloc, _a);
            il.Emit(OpCodes.Ldloc, _x);
            il.Emit(shift);
            il.Emit(OpCodes.Stloc, _a);
            il.MarkLabel(done);
        }

        private void EmitConditionalJump(int pc, BpfInstruction insn)
        {
            int whenTrue = pc + 1 + insn.JumpTrue, whenFalse = pc + 1 + insn.JumpFalse;
            if (whenTrue == whenFalse)
            {
                il.Emit(OpCodes.Br, _labels[whenTrue]);
                return;
            }
            il.Emit(OpCodes.Ldloc, _a);
            EmitOperand(insn);
            switch (Operation(insn.Code))
            {
                case Jeq: il.Emit(OpCodes.Beq, _labels[whenTrue]); break;
                case Jgt: il.Emit(OpCodes.Bgt_Un, _labels[whenTrue]); break;
                case Jge: il.Emit(OpCodes.Bge_Un, _labels[whenTrue]); break;
                default: il.Emit(OpCodes.And); il.Emit(OpCodes.Brtrue, _labels[whenTrue]); break;
            }
            if (whenFalse != pc + 1)
                il.Emit(OpCodes.Br, _labels[whenFalse]);
        }

        private void EmitOperand(BpfInstruction insn)
        {
            if (Source(insn.Code) == X)
                il.Emit(OpCodes.Ldloc, _x);
            else
                EmitConstant(insn.K);
        }

        private void EmitConstant(uint value) => il.Emit(OpCodes.Ldc_I4, unchecked((int)value));

        private LocalBuilder Memory(uint index) => _memory[index] ??= il.DeclareLocal(typeof(uint));
    }
}
