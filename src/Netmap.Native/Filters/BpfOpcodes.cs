namespace Netmap.Native.Filters;

/// <summary>
/// Classic BPF opcode fields, as defined by <c>pcap/bpf.h</c> and the Linux <c>linux/filter.h</c>:
/// an opcode is class | size | mode for loads, class | operation | source for ALU and jumps.
/// </summary>
internal static class BpfOpcodes
{
    // Instruction classes (low 3 bits).
    public const int Ld = 0x00, Ldx = 0x01, St = 0x02, Stx = 0x03, Alu = 0x04, Jmp = 0x05, Ret = 0x06, Misc = 0x07;

    // Load sizes.
    public const int W = 0x00, H = 0x08, B = 0x10;

    // Load modes.
    public const int Imm = 0x00, Abs = 0x20, Ind = 0x40, Mem = 0x60, Len = 0x80, Msh = 0xa0;

    // ALU operations.
    public const int Add = 0x00, Sub = 0x10, Mul = 0x20, Div = 0x30, Or = 0x40, And = 0x50,
        Lsh = 0x60, Rsh = 0x70, Neg = 0x80, Mod = 0x90, Xor = 0xa0;

    // Jump operations.
    public const int Ja = 0x00, Jeq = 0x10, Jgt = 0x20, Jge = 0x30, Jset = 0x40;

    // Operand source: the constant k or the index register X.
    public const int K = 0x00, X = 0x08;

    // Return value source: the constant k or the accumulator A.
    public const int RetA = 0x10;

    // Register transfers.
    public const int Tax = 0x00, Txa = 0x80;

    /// <summary>Words of scratch memory (BPF_MEMWORDS).</summary>
    public const int MemoryWords = 16;

    /// <summary>Most instructions a program may have (BPF_MAXINSNS).</summary>
    public const int MaxInstructions = 4096;

    /// <summary>
    /// How many instructions a run may execute when the program jumps backward (libpcap's
    /// <c>protochain</c> loops over the header chain with a backward <c>ja</c>): each backward jump
    /// charges the length of the loop it closes, and a run that would exceed the bound rejects the
    /// packet, so that no program loops forever. protochain over the largest frame (262144 bytes,
    /// a header every 8 bytes, a 15-instruction loop) stays under half of it.
    /// </summary>
    public const int ExecutionBound = 1 << 20;

    public static int Class(int code) => code & 0x07;

    public static int Size(int code) => code & 0x18;

    public static int Mode(int code) => code & 0xe0;

    public static int Operation(int code) => code & 0xf0;

    public static int Source(int code) => code & 0x08;

    /// <summary>Every opcode the kernel's classic checker accepts (BPF extensions excepted).</summary>
    public static bool IsKnown(int code) => code switch
    {
        Ld | W | Abs or Ld | H | Abs or Ld | B | Abs => true,
        Ld | W | Ind or Ld | H | Ind or Ld | B | Ind => true,
        Ld | W | Len or Ld | Imm or Ld | Mem => true,
        Ldx | W | Len or Ldx | B | Msh or Ldx | Imm or Ldx | Mem => true,
        St or Stx => true,
        Misc | Tax or Misc | Txa => true,
        Ret | K or Ret | RetA => true,
        Alu | Neg => true,
        Jmp | Ja => true,
        _ when Class(code) == Alu && (code & ~0xf8) == Alu && IsAluOperation(Operation(code)) => true,
        _ when Class(code) == Jmp && (code & ~0xf8) == Jmp && IsConditional(Operation(code)) => true,
        _ => false,
    };

    private static bool IsAluOperation(int op) =>
        op is Add or Sub or Mul or Div or Or or And or Lsh or Rsh or Mod or Xor;

    private static bool IsConditional(int op) => op is Jeq or Jgt or Jge or Jset;
}
