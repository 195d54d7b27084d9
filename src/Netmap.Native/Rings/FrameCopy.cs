using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Netmap.Native.Rings;

/// <summary>
/// Copies a frame into a packet buffer. Minimum-size frames (60 to 64 bytes, the rate tests' and
/// most control traffic's) are copied inline with four overlapping 16-byte moves: a call into
/// Buffer.MemoryCopy costs about as much as the whole rest of a send per frame.
/// </summary>
internal static unsafe class FrameCopy
{
    /// <summary>
    /// Copies <paramref name="length"/> bytes with no call at all, for loops that keep everything in registers
    /// (a call inside a loop makes the JIT keep its values in memory): 16-byte moves, the last one overlapping.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyWithoutCall(byte* source, byte* destination, int length)
    {
        if (length < 16)
        {
            for (int i = 0; i < length; i++) destination[i] = source[i];
            return;
        }
        for (int at = 0; at < length - 16; at += 16) Vector128.Load(source + at).Store(destination + at);
        Vector128.Load(source + length - 16).Store(destination + length - 16);
    }

    /// <summary>True for the lengths copied inline: 32 to 64 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsInline(int length) => (uint)(length - 32) <= 32;

    /// <summary>Copies <paramref name="length"/> bytes; the caller checked that they fit the destination.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(byte* source, byte* destination, int length)
    {
        if (IsInline(length)) // 32 to 64 bytes: the first 32 and the last 32, overlapping in the middle
        {
            var a = Vector128.Load(source);
            var b = Vector128.Load(source + 16);
            var c = Vector128.Load(source + length - 32);
            var d = Vector128.Load(source + length - 16);
            a.Store(destination);
            b.Store(destination + 16);
            c.Store(destination + length - 32);
            d.Store(destination + length - 16);
            return;
        }
        Buffer.MemoryCopy(source, destination, length, length);
    }
}
