using static Netmap.Native.PortNames.PortNameSyntax;

namespace Netmap.Native.PortNames;

public static partial class PortNameParser
{
    private const string FlagLetterList = "x, z, t, r, R or T";

    private const string FlagHelp =
        "Flags: x exclusive, z zero-copy monitor, t monitor TX, r monitor RX, R RX rings only, T TX rings only.";

    private readonly record struct Register(RegisterMode Mode, ushort RingId, RegisterFlags Flags, ushort MemoryId);

    /// <summary>
    /// Reads the suffix after the port name: an optional ring selection, then any mix of
    /// '/flags' and '@memid' groups (no two flag groups in a row). Stops at the end or at the
    /// '@' that starts the option list.
    /// </summary>
    private static Register ParseRegister(NameReader reader)
    {
        var (mode, ringId) = ParseRingSelection(reader);
        var flags = RegisterFlags.None;
        ushort memoryId = 0;
        bool flagsAllowed = true;
        while (!reader.AtEnd)
        {
            if (flagsAllowed && reader.TryTake('/'))
            {
                flags |= ParseFlags(reader);
                flagsAllowed = false;
            }
            else if (reader.Peek('@') && reader.PeekDigit(ahead: 1))
            {
                reader.Position++;
                memoryId = ParseMemoryId(reader, memoryId);
                flagsAllowed = true;
            }
            else if (reader.Peek('@'))
            {
                break;
            }
            else
            {
                throw reader.Fail("'/', '@' or the end of the name",
                    "A ring selection ('-N', '^', '^N' or '*') can only be followed by flags ('/...'), "
                    + "a memory id ('@N') or options ('@name...').");
            }
        }
        return new Register(mode, ringId, flags, memoryId);
    }

    private static (RegisterMode Mode, ushort RingId) ParseRingSelection(NameReader reader)
    {
        if (reader.TryTake('^'))
        {
            return reader.PeekDigit()
                ? (RegisterMode.OneHost, ParseRingNumber(reader, '^'))
                : (RegisterMode.Host, (ushort)0);
        }
        if (reader.TryTake('*'))
            return (RegisterMode.NicAndHost, 0);
        if (reader.TryTake('-'))
            return (RegisterMode.OneNic, ParseRingNumber(reader, '-'));
        return (RegisterMode.AllNic, 0);
    }

    private static ushort ParseRingNumber(NameReader reader, char selector)
    {
        int start = reader.Position;
        string digits = reader.TakeWhile(IsDigit);
        if (digits.Length == 0)
            throw reader.Fail($"a ring number after '{selector}'", $"For example 'netmap:eth0{selector}1'.");
        if (!TryParseDecimal(digits, RingNumberLimit - 1, out ulong ring))
            throw reader.FailOnToken(start, digits, $"a ring number from 0 to {RingNumberLimit - 1}",
                $"netmap ring numbers must be below {RingNumberLimit} (NETMAP_RING_MASK).");
        return (ushort)ring;
    }

    private static RegisterFlags ParseFlags(NameReader reader)
    {
        int start = reader.Position;
        var flags = RegisterFlags.None;
        while (!reader.AtEnd && !reader.Peek('@'))
        {
            flags |= FlagFor(reader.Text[reader.Position])
                ?? throw reader.Fail($"a flag letter ({FlagLetterList})", FlagHelp);
            reader.Position++;
        }
        // An empty group is legal before an '@' (netmap:eth0/@1, netmap:eth0/@conf:rings=1): libnetmap reads no flags.
        if (reader.Position == start && !reader.Peek('@'))
            throw reader.Fail($"at least one flag letter after '/' ({FlagLetterList})",
                $"Remove the '/' or add flags. {FlagHelp}");
        return flags;
    }

    private static ushort ParseMemoryId(NameReader reader, ushort previous)
    {
        int start = reader.Position;
        string digits = reader.TakeWhile(IsDigit);
        if (!TryParseDecimal(digits, ushort.MaxValue, out ulong id) || id == 0)
            throw reader.FailOnToken(start, digits, $"a memory id from 1 to {ushort.MaxValue}",
                "Leave '@N' out to use the port's default memory region.");
        if (previous != 0 && previous != id)
            throw reader.FailOnToken(start, digits, $"the memory id given before ({previous})",
                "A port has one memory region; give '@N' only once.");
        return (ushort)id;
    }

    /// <summary>Reads plain decimal digits into a value no larger than <paramref name="max"/>.</summary>
    private static bool TryParseDecimal(string digits, ulong max, out ulong value)
    {
        value = 0;
        if (digits.Length == 0)
            return false;
        foreach (char c in digits)
        {
            if (!IsDigit(c))
                return false;
            value = value * 10 + (ulong)(c - '0');
            if (value > max)
                return false;
        }
        return true;
    }
}
