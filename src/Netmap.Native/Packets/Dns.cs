using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Netmap.Native.Packets;

public sealed record DnsQuestion(string Name, ushort Type, ushort Class)
{
    public string TypeName => DnsDecoder.TypeName(Type);
    public override string ToString() => $"{TypeName} {Name}";
}

/// <summary>A resource record. Address is set for A and AAAA, Target for CNAME, PTR, NS and MX, Text for TXT.</summary>
public sealed record DnsRecord(string Name, ushort Type, ushort Class, uint Ttl, byte[] Data)
{
    public string TypeName => DnsDecoder.TypeName(Type);
    public IPAddress? Address { get; init; }
    public string? Target { get; init; }
    public ushort? Preference { get; init; }
    public IReadOnlyList<string>? Text { get; init; }
    public override string ToString() => $"{Name} {TypeName} {DnsDecoder.DataText(this)}";
}

/// <summary>A DNS message (UDP or TCP port 53, or mDNS on 5353). Malformed says what is wrong when the message could not be read to the end; what was read before stays.</summary>
public sealed class DnsLayer
{
    public ushort Id { get; init; }
    public ushort Flags { get; init; }
    public bool IsResponse => (Flags & 0x8000) != 0;
    public byte Opcode => (byte)((Flags >> 11) & 0xf);
    public bool Authoritative => (Flags & 0x0400) != 0;
    public bool Truncation => (Flags & 0x0200) != 0;
    public bool RecursionDesired => (Flags & 0x0100) != 0;
    public bool RecursionAvailable => (Flags & 0x0080) != 0;
    public bool AuthenticatedData => (Flags & 0x0020) != 0;
    public bool CheckingDisabled => (Flags & 0x0010) != 0;
    public byte Rcode => (byte)(Flags & 0xf);
    public ushort QuestionCount { get; init; }
    public ushort AnswerCount { get; init; }
    public ushort AuthorityCount { get; init; }
    public ushort AdditionalCount { get; init; }
    public List<DnsQuestion> Questions { get; } = [];
    public List<DnsRecord> Answers { get; } = [];
    public List<DnsRecord> Authorities { get; } = [];
    public List<DnsRecord> Additionals { get; } = [];
    /// <summary>Multicast DNS (port 5353).</summary>
    public bool Multicast { get; init; }
    /// <summary>Null for a well-formed message, else what is wrong and where.</summary>
    public string? Malformed { get; internal set; }
    public override string ToString() => DnsDecoder.Info(this);
}

/// <summary>Reads DNS messages from untrusted bytes: every offset is checked, compression pointers are followed with a bound (loops are refused), a fault ends the reading and is reported in Malformed.</summary>
public static class DnsDecoder
{
    private const int MaxPointers = 64;

    public static bool IsDnsPort(ushort source, ushort destination) => source is 53 or 5353 || destination is 53 or 5353;

    /// <summary>True when the payload holds a whole DNS header (after the 2-byte length prefix over TCP).</summary>
    public static bool HasHeader(ReadOnlySpan<byte> payload, bool overTcp) =>
        overTcp ? payload.Length >= 2 && Math.Min(payload.Length - 2, BinaryPrimitives.ReadUInt16BigEndian(payload)) >= 12 : payload.Length >= 12;

    /// <summary>The DNS message in a UDP payload or a TCP segment (after its 2-byte length prefix); null when there are fewer than 12 bytes, too few for the header.</summary>
    public static DnsLayer? Decode(ReadOnlySpan<byte> payload, bool overTcp, bool multicast = false)
    {
        ReadOnlySpan<byte> m = payload;
        if (overTcp)
        {
            if (m.Length < 2) return null;
            int announced = BinaryPrimitives.ReadUInt16BigEndian(m);
            m = m[2..];
            if (announced < m.Length) m = m[..announced];
        }
        if (m.Length < 12) return null;
        var dns = new DnsLayer
        {
            Id = U16(m, 0), Flags = U16(m, 2), QuestionCount = U16(m, 4), AnswerCount = U16(m, 6),
            AuthorityCount = U16(m, 8), AdditionalCount = U16(m, 10), Multicast = multicast,
        };
        int at = 12;
        var seen = new List<(int Offset, string Name)>(4);
        try
        {
            for (int i = 0; i < dns.QuestionCount; i++)
            {
                string name = Name(m, ref at, seen);
                Need(m, at, 4, "question type and class");
                dns.Questions.Add(new DnsQuestion(name, U16(m, at), U16(m, at + 2)));
                at += 4;
            }
            Records(m, ref at, dns.AnswerCount, dns.Answers, seen);
            Records(m, ref at, dns.AuthorityCount, dns.Authorities, seen);
            Records(m, ref at, dns.AdditionalCount, dns.Additionals, seen);
        }
        catch (DnsFormatException e)
        {
            dns.Malformed = e.Message;
        }
        return dns;
    }

    private static void Records(ReadOnlySpan<byte> m, ref int at, int count, List<DnsRecord> into, List<(int Offset, string Name)> seen)
    {
        for (int i = 0; i < count; i++)
        {
            string name = Name(m, ref at, seen);
            Need(m, at, 10, "record type, class, TTL and data length");
            ushort type = U16(m, at), cls = U16(m, at + 2), length = U16(m, at + 8);
            uint ttl = BinaryPrimitives.ReadUInt32BigEndian(m[(at + 4)..]);
            at += 10;
            Need(m, at, length, $"{length} bytes of record data");
            int data = at;
            at += length;
            int cursor = data;
            IPAddress? address = null;
            string? target = null;
            ushort? preference = null;
            List<string>? text = null;
            switch (type)
            {
                case 1 when length == 4: address = new IPAddress(m.Slice(data, 4)); break;
                case 28 when length == 16: address = new IPAddress(m.Slice(data, 16)); break;
                case 2 or 5 or 12: target = Name(m, ref cursor, seen); break;
                case 15 when length >= 3: preference = U16(m, data); cursor += 2; target = Name(m, ref cursor, seen); break;
                case 16: text = Strings(m.Slice(data, length)); break;
            }
            into.Add(new DnsRecord(name, type, cls, ttl, m.Slice(data, length).ToArray())
                { Address = address, Target = target, Preference = preference, Text = text });
        }
    }

    private static List<string> Strings(ReadOnlySpan<byte> rdata)
    {
        var strings = new List<string>();
        for (int i = 0; i < rdata.Length;)
        {
            int n = rdata[i];
            if (i + 1 + n > rdata.Length) throw new DnsFormatException($"TXT string of {n} bytes runs past its record");
            strings.Add(Encoding.ASCII.GetString(rdata.Slice(i + 1, n)));
            i += 1 + n;
        }
        return strings;
    }

    /// <summary>
    /// Reads a name at <paramref name="at"/> (advanced past it), following compression pointers; names already
    /// read are reused by offset (answers usually point back at the question), so each is built once.
    /// </summary>
    private static string Name(ReadOnlySpan<byte> m, ref int at, List<(int Offset, string Name)> seen)
    {
        Span<char> text = stackalloc char[MaxNameLength + 1];
        int length = 0, cursor = at, pointers = 0, start = at;
        bool jumped = false;
        while (true)
        {
            Need(m, cursor, 1, "a name label");
            byte label = m[cursor];
            if ((label & 0xc0) == 0xc0)
            {
                Need(m, cursor, 2, "a compression pointer");
                int target = U16(m, cursor) & 0x3fff;
                if (!jumped) at = cursor + 2;
                jumped = true;
                if (++pointers > MaxPointers) throw new DnsFormatException($"compression pointers loop (at offset {cursor})");
                if (target >= m.Length) throw new DnsFormatException($"compression pointer at offset {cursor} points past the message ({target})");
                if (Seen(seen, target) is { } rest)
                {
                    if (length == 0) return rest;
                    if (rest == "<Root>") return Remember(seen, start, new string(text[..length]));
                    if (length + 1 + rest.Length > MaxNameLength) throw new DnsFormatException($"name longer than {MaxNameLength} bytes at offset {start}");
                    return Remember(seen, start, string.Concat(text[..length], ".", rest));
                }
                cursor = target;
                continue;
            }
            if ((label & 0xc0) != 0) throw new DnsFormatException($"unsupported label type 0x{label & 0xc0:x2} at offset {cursor}");
            if (label == 0)
            {
                if (!jumped) at = cursor + 1;
                return Remember(seen, start, length == 0 ? "<Root>" : new string(text[..length]));
            }
            Need(m, cursor + 1, label, "a name label");
            if (length + (length > 0 ? 1 : 0) + label > MaxNameLength) throw new DnsFormatException($"name longer than {MaxNameLength} bytes at offset {start}");
            if (length > 0) text[length++] = '.';
            foreach (byte b in m.Slice(cursor + 1, label)) text[length++] = b < 0x80 ? (char)b : '?';
            cursor += 1 + label;
        }
    }

    private const int MaxNameLength = 255;

    private static string? Seen(List<(int Offset, string Name)> seen, int offset)
    {
        foreach (var (o, name) in seen) if (o == offset) return name;
        return null;
    }

    private static string Remember(List<(int Offset, string Name)> seen, int offset, string name)
    {
        if (seen.Count < 64) seen.Add((offset, name));
        return name;
    }

    private static void Need(ReadOnlySpan<byte> m, int at, int count, string what)
    {
        if (at + count > m.Length) throw new DnsFormatException($"{what} at offset {at} runs past the end of the message ({m.Length} bytes)");
    }

    private static ushort U16(ReadOnlySpan<byte> m, int at) => BinaryPrimitives.ReadUInt16BigEndian(m[at..]);

    public static string TypeName(ushort type) => type switch
    {
        1 => "A", 2 => "NS", 5 => "CNAME", 6 => "SOA", 12 => "PTR", 15 => "MX", 16 => "TXT", 28 => "AAAA", 33 => "SRV",
        41 => "OPT", 255 => "ANY", _ => $"Unknown ({type})",
    };

    internal static string DataText(DnsRecord r) => r.Type switch
    {
        15 when r.Target is not null => $"{r.Preference} {r.Target}",
        16 => "",
        _ => r.Address?.ToString() ?? r.Target ?? "",
    };

    private static string OpcodeName(byte opcode) => opcode switch
    {
        0 => "Standard query", 1 => "Inverse query", 2 => "Server status request", 4 => "Zone change notification", 5 => "Dynamic update", 6 => "DNS Stateful operations (DSO)",
        _ => $"Unknown operation ({opcode})",
    };

    private static string RcodeName(byte rcode) => rcode switch
    {
        1 => "Format error", 2 => "Server failure", 3 => "No such name", 4 => "Not implemented", 5 => "Refused",
        6 => "Name exists", 7 => "RRset exists", 8 => "RRset does not exist", 9 => "Not authoritative", 10 => "Name out of zone",
        _ => $"Unknown error ({rcode})",
    };

    /// <summary>The Info column as Wireshark writes it for DNS.</summary>
    public static string Info(DnsLayer dns)
    {
        var text = new StringBuilder(OpcodeName(dns.Opcode));
        if (dns.IsResponse)
        {
            text.Append(" response");
        }
        text.Append($" 0x{dns.Id:x4}");
        if (dns.IsResponse && dns.Rcode != 0) text.Append(' ').Append(RcodeName(dns.Rcode));
        foreach (DnsQuestion q in dns.Questions)
        {
            text.Append(' ').Append(q.TypeName).Append(' ').Append(q.Name);
            if (dns.Multicast) text.Append((q.Class & 0x8000) != 0 ? ", \"QU\" question" : ", \"QM\" question"); // mDNS: unicast or multicast response wanted
        }
        foreach (DnsRecord r in dns.Answers.Concat(dns.Authorities).Concat(dns.Additionals))
        {
            text.Append(' ').Append(r.TypeName);
            if (dns.Multicast && (r.Class & 0x8000) != 0) text.Append(", cache flush");
            string data = DataText(r);
            if (data.Length > 0) text.Append(' ').Append(data);
        }
        if (dns.Malformed is not null) text.Append(" [Malformed: ").Append(dns.Malformed).Append(']');
        return text.ToString();
    }
}

internal sealed class DnsFormatException(string message) : Exception(message);
