using Capture.Tests.Support;
using System.Text;

namespace Capture.Tests.Fuzz;

/// <summary>
/// Seeded mutation of well-formed inputs, the way coverage-less fuzzers (radamsa, AFL's havoc stage) do it:
/// bit flips, interesting bytes, inserts and deletes, duplicated ranges, splices of two seeds, and edits of the
/// length fields parsers trust (decimal and hex numbers in text, 24-bit frame lengths and HPACK integers in
/// binary). The same seed always gives the same inputs, so a failure reproduces from its seed and index.
/// </summary>
internal sealed class Mutator(byte[][] seeds, byte[][] tokens)
{
    private Random random = new(0);

    /// <summary>Bytes that sit on parser decision points: delimiters, sign and top bits, NUL.</summary>
    private static readonly byte[] Interesting = [0, 1, 0x7F, 0x80, 0xFF, (byte)'\r', (byte)'\n', (byte)' ', (byte)':', (byte)';',
        (byte)'\t', (byte)'0', (byte)'9', (byte)'f', (byte)'-', (byte)','];

    /// <summary>Numbers that break length arithmetic: zero, one, sign boundaries, overflow of 32 and 64 bits.</summary>
    private static readonly string[] InterestingNumbers = ["0", "1", "-1", "2147483647", "2147483648", "4294967296",
        "9223372036854775807", "9223372036854775808", "99999999999999999999999", "00000000000000000001", "+5", "1e3", " 5"];

    private static readonly string[] InterestingHex = ["0", "1", "7fffffff", "80000000", "ffffffff", "7fffffffffffffff",
        "8000000000000000", "ffffffffffffffffff", "000000000000000000001", "-1", "0x10"];

    private static readonly int[] InterestingFrameLengths = [0, 1, 8, 9, 16383, 16384, 16385, 65535, 0xFFFFFF];

    /// <summary>A new input: a seed with one to eight stacked mutations.</summary>
    public byte[] Next(Random source)
    {
        random = source;
        var bytes = new List<byte>(seeds[random.Next(seeds.Length)]);
        for (int i = random.Next(1, 9); i > 0; i--) Mutate(bytes);
        return [.. bytes];
    }

    private void Mutate(List<byte> b)
    {
        switch (random.Next(12))
        {
            case 0 when b.Count > 0: b[random.Next(b.Count)] ^= (byte)(1 << random.Next(8)); break;
            case 1 when b.Count > 0: b[random.Next(b.Count)] = Interesting[random.Next(Interesting.Length)]; break;
            case 2 when b.Count > 0: b[random.Next(b.Count)] = (byte)random.Next(256); break;
            case 3: b.InsertRange(random.Next(b.Count + 1), RandomBytes(random.Next(1, 9))); break;
            case 4: b.InsertRange(random.Next(b.Count + 1), tokens[random.Next(tokens.Length)]); break;
            case 5 when b.Count > 0:
                int at = random.Next(b.Count);
                b.RemoveRange(at, Math.Min(b.Count - at, random.Next(1, 33)));
                break;
            case 6 when b.Count > 0:
                int from = random.Next(b.Count), length = Math.Min(b.Count - from, random.Next(1, 65));
                b.InsertRange(random.Next(b.Count + 1), b.GetRange(from, length));
                break;
            case 7: Splice(b); break;
            case 8: EditDecimal(b); break;
            case 9: EditHex(b); break;
            case 10: EditBinaryLength(b); break;
            case 11 when b.Count > 0:
                int keep = random.Next(b.Count);
                b.RemoveRange(keep, b.Count - keep);
                break;
        }
    }

    private byte[] RandomBytes(int n)
    {
        var bytes = new byte[n];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>The head of this input followed by the tail of another seed, or the reverse.</summary>
    private void Splice(List<byte> b)
    {
        var other = seeds[random.Next(seeds.Length)];
        int cut = random.Next(b.Count + 1), otherCut = random.Next(other.Length + 1);
        b.RemoveRange(cut, b.Count - cut);
        b.AddRange(other.AsSpan(otherCut).ToArray());
    }

    /// <summary>Replaces a run of decimal digits (Content-Length, status codes) with a boundary number.</summary>
    private void EditDecimal(List<byte> b)
    {
        if (!FindRun(b, char.IsAsciiDigit, out int start, out int length)) return;
        b.RemoveRange(start, length);
        b.InsertRange(start, Encoding.ASCII.GetBytes(InterestingNumbers[random.Next(InterestingNumbers.Length)]));
    }

    /// <summary>Replaces a run of hex digits (chunk sizes) with a boundary number.</summary>
    private void EditHex(List<byte> b)
    {
        if (!FindRun(b, Uri.IsHexDigit, out int start, out int length)) return;
        b.RemoveRange(start, length);
        b.InsertRange(start, Encoding.ASCII.GetBytes(InterestingHex[random.Next(InterestingHex.Length)]));
    }

    private bool FindRun(List<byte> b, Func<char, bool> digit, out int start, out int length)
    {
        start = length = 0;
        if (b.Count == 0) return false;
        for (int tries = 0; tries < 4; tries++)
        {
            int at = random.Next(b.Count);
            int i = at;
            while (i < b.Count && !digit((char)b[i])) i++;
            if (i == b.Count) continue;
            int end = i;
            while (end < b.Count && digit((char)b[end])) end++;
            start = i;
            length = end - i;
            return true;
        }
        return false;
    }

    /// <summary>Writes a big-endian 24-bit length (an HTTP/2 frame header's first field) or an HPACK integer
    /// with a long continuation at a random place.</summary>
    private void EditBinaryLength(List<byte> b)
    {
        int at = random.Next(b.Count + 1);
        if (random.Next(2) == 0)
        {
            int length = InterestingFrameLengths[random.Next(InterestingFrameLengths.Length)];
            byte[] field = [(byte)(length >> 16), (byte)(length >> 8), (byte)length];
            for (int i = 0; i < 3; i++)
                if (at + i < b.Count) b[at + i] = field[i]; else b.Add(field[i]);
        }
        else
        {
            // A prefix with all bits set, then continuation bytes: up to 2^56 and beyond (RFC 7541 §5.1).
            var integer = new List<byte> { (byte)(random.Next(256) | 0x1F) };
            for (int i = random.Next(1, 10); i > 0; i--) integer.Add((byte)(0x80 | random.Next(128)));
            integer.Add((byte)random.Next(128));
            b.InsertRange(at, integer);
        }
    }

    /// <summary>Cuts an input into the pieces a capture could deliver: whole, byte by byte, or at random points.</summary>
    public static IEnumerable<int> Pieces(Random random, int length) => random.Next(8) switch
    {
        0 => StreamSplits.Whole(length),
        1 => StreamSplits.ByteByByte(length),
        _ => StreamSplits.Random(random.Next())(length),
    };
}
