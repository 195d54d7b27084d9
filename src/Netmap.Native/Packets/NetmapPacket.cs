namespace Netmap.Native.Packets;

/// <summary>A frame copied out of a ring: where and when it was received, and its bytes.</summary>
public sealed class NetmapPacket
{
    public NetmapPacket(byte[] data, DateTime timestamp, string port, uint ring, uint slot)
    {
        Data = data;
        Timestamp = timestamp;
        Port = port;
        Ring = ring;
        Slot = slot;
    }

    /// <summary>When the ring was last synced before the frame was read (netmap stamps rings, not slots).</summary>
    public DateTime Timestamp { get; }
    public string Port { get; }
    public uint Ring { get; }
    public uint Slot { get; }
    public int Length => Data.Length;
    /// <summary>The frame's bytes, from the destination MAC on.</summary>
    public byte[] Data { get; }

    public override string ToString() => $"{Length} bytes on {Port} ring {Ring}";
}
