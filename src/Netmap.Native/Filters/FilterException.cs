namespace Netmap.Native.Filters;

/// <summary>
/// A filter expression libpcap refused, or a BPF program that does not pass validation.
/// The message quotes the expression (when there is one) and says what is wrong.
/// </summary>
public sealed class FilterException : NetmapException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The whole message, naming the filter and the problem.</param>
    /// <param name="expression">The filter expression, or null for a program given as instructions.</param>
    /// <param name="instructionIndex">The offending instruction's index, or -1.</param>
    public FilterException(string message, string? expression = null, int instructionIndex = -1)
        : base(NetmapError.InvalidRequest, message)
    {
        Expression = expression;
        InstructionIndex = instructionIndex;
    }

    /// <summary>The filter expression that failed, or null when a program was given directly.</summary>
    public string? Expression { get; }

    /// <summary>Index of the instruction the validator refused, or -1 when the problem is not one instruction.</summary>
    public int InstructionIndex { get; }
}
