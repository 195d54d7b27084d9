using System.Globalization;

namespace Netmap.Native.Filters;

/// <summary>
/// One classic BPF instruction, laid out as <c>struct bpf_insn</c>: a 16-bit opcode, the jump
/// offsets taken when a condition holds (<see cref="JumpTrue"/>) or not (<see cref="JumpFalse"/>),
/// and a 32-bit constant <see cref="K"/>.
/// </summary>
/// <param name="Code">The opcode (class, size or operation, mode or source).</param>
/// <param name="JumpTrue">Instructions to skip when a conditional jump's test holds.</param>
/// <param name="JumpFalse">Instructions to skip when it does not.</param>
/// <param name="K">The constant operand: an offset, immediate value or jump distance.</param>
public readonly record struct BpfInstruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K)
{
    /// <summary>The instruction in <c>tcpdump -dd</c> notation, e.g. <c>{ 0x28, 0, 0, 0x0000000c }</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{{ 0x{Code:x2}, {JumpTrue}, {JumpFalse}, 0x{K:x8} }}");
}
