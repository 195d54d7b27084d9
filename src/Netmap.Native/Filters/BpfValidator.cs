using static Netmap.Native.Filters.BpfOpcodes;

namespace Netmap.Native.Filters;

/// <summary>
/// Checks a classic BPF program the way the Linux kernel's checker does before it runs one:
/// known opcodes only, jumps inside the program, a RET at the end (so every path returns), no division or modulo by a constant zero, constant shifts below 32, scratch memory
/// indexes below 16, and no scratch word read before every path to the read has stored it. Unlike the
/// kernel's checker it allows an unconditional jump backward, as libpcap's own interpreter does: libpcap
/// compiles <c>protochain</c> to a loop. The runners bound such loops (<see cref="BpfOpcodes.ExecutionBound"/>).
/// </summary>
internal static class BpfValidator
{
    /// <summary>Throws a <see cref="FilterException"/> naming the first problem, if there is one.</summary>
    public static void Validate(ReadOnlySpan<BpfInstruction> program, string? expression = null)
    {
        if (program.Length == 0)
            throw Fail(expression, -1, "the program is empty; it needs at least a RET instruction");
        if (program.Length > MaxInstructions)
            throw Fail(expression, -1, $"the program has {program.Length} instructions, more than the {MaxInstructions} BPF allows");

        for (int pc = 0; pc < program.Length; pc++)
            CheckInstruction(program, pc, expression);

        if (Class(program[^1].Code) != Ret)
            throw Fail(expression, program.Length - 1, "the program does not end with a RET instruction, so a path could run off its end");

        CheckScratchMemoryIsStoredBeforeLoaded(program, expression);
    }

    private static void CheckInstruction(ReadOnlySpan<BpfInstruction> program, int pc, string? expression)
    {
        BpfInstruction insn = program[pc];
        int code = insn.Code;
        if (!IsKnown(code))
            throw Fail(expression, pc, $"unknown opcode 0x{code:x4}");

        int remaining = program.Length - pc - 1; // instructions after this one
        switch (Class(code))
        {
            case Alu when Source(code) == K && insn.K == 0 && Operation(code) is Div or Mod:
                throw Fail(expression, pc, "division or modulo by the constant zero");
            case Alu when Source(code) == K && insn.K >= 32 && Operation(code) is Lsh or Rsh:
                throw Fail(expression, pc, $"shift by the constant {insn.K}, which is not below 32");
            case Ld or Ldx when Mode(code) == Mem && insn.K >= MemoryWords:
            case St or Stx when insn.K >= MemoryWords:
                throw Fail(expression, pc, $"scratch memory index {insn.K} is not below {MemoryWords}");
            case Jmp when Operation(code) == Ja && (pc + 1L + (int)insn.K < 0 || (int)insn.K >= remaining):
                throw Fail(expression, pc, $"jump by {(int)insn.K} lands outside the program ({pc} instructions before it, {remaining} after)");
            case Jmp when Operation(code) != Ja && (insn.JumpTrue >= remaining || insn.JumpFalse >= remaining):
                throw Fail(expression, pc,
                    $"conditional jump (true +{insn.JumpTrue}, false +{insn.JumpFalse}) lands outside the program ({remaining} instructions follow)");
        }
    }

    // The words known stored at an instruction are those stored on every way into it (fall-through
    // and each jump to it). With forward jumps only one pass settles it; a backward jump can lower
    // what an earlier instruction knows, so passes repeat until nothing changes (the sets only shrink).
    private static void CheckScratchMemoryIsStoredBeforeLoaded(ReadOnlySpan<BpfInstruction> program, string? expression)
    {
        const ushort all = 0xffff;
        Span<ushort> storedOnEntry = program.Length <= 512 ? stackalloc ushort[program.Length] : new ushort[program.Length];
        storedOnEntry.Fill(all);
        while (ScratchPass(program, storedOnEntry, expression)) { }
    }

    /// <summary>One pass; true when a backward jump lowered what an instruction already passed knows.</summary>
    private static bool ScratchPass(ReadOnlySpan<BpfInstruction> program, Span<ushort> storedOnEntry, string? expression)
    {
        const ushort all = 0xffff;
        bool changedBehind = false;
        ushort stored = 0;
        for (int pc = 0; pc < program.Length; pc++)
        {
            stored &= storedOnEntry[pc];
            BpfInstruction insn = program[pc];
            int code = insn.Code;
            switch (Class(code))
            {
                case St or Stx:
                    stored |= (ushort)(1 << (int)insn.K);
                    break;
                case Ld or Ldx when Mode(code) == Mem && (stored & (1 << (int)insn.K)) == 0:
                    throw Fail(expression, pc, $"scratch memory word M[{insn.K}] may be read before anything is stored in it");
                case Jmp when Operation(code) == Ja:
                    int target = pc + 1 + (int)insn.K;
                    if (target <= pc && (storedOnEntry[target] & stored) != storedOnEntry[target]) changedBehind = true;
                    storedOnEntry[target] &= stored;
                    stored = all;
                    break;
                case Jmp:
                    storedOnEntry[pc + 1 + insn.JumpTrue] &= stored;
                    storedOnEntry[pc + 1 + insn.JumpFalse] &= stored;
                    stored = all;
                    break;
                case Ret:
                    stored = all; // the next instruction is reached by jumps only
                    break;
            }
        }
        return changedBehind;
    }

    private static FilterException Fail(string? expression, int pc, string problem)
    {
        string what = expression is null ? "Invalid BPF program" : $"Invalid BPF program for filter '{expression}'";
        string where = pc >= 0 ? $" at instruction {pc}" : "";
        return new FilterException($"{what}{where}: {problem}.", expression, pc);
    }
}
