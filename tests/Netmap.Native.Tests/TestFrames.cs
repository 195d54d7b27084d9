namespace Netmap.Native.Tests;

/// <summary>Frames the shared-memory tests send.</summary>
internal static class TestFrames
{
    /// <summary>A 60-byte broadcast frame (a switch floods it) from a source MAC per <paramref name="tag"/>, EtherType 0x88B5, the tag in its payload.</summary>
    public static byte[] Broadcast(byte tag)
    {
        var frame = new byte[60];
        frame.AsSpan(0, 6).Fill(0xff);
        frame[6] = 0x02; frame[11] = tag;
        frame[12] = 0x88; frame[13] = 0xb5;
        frame[20] = tag;
        return frame;
    }
}
