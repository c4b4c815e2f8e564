using Capture.Hpack;
using System.Text;
using Capture.Analyzer.Http2;

namespace Capture.Tests.Http2;

/// <summary>
/// Test-only HPACK encoder (RFC 7541 §5, §6) so that test inputs read as the representations they contain.
/// It encodes exactly what it is told: it keeps no table, so tests choose every index themselves.
/// </summary>
internal sealed class HpackBlock
{
    private readonly List<byte> _bytes = [];

    /// <summary>§6.1 indexed header field.</summary>
    public HpackBlock Indexed(int index) => Integer(index, 7, 0x80);

    /// <summary>§6.2.1 literal with incremental indexing, new name.</summary>
    public HpackBlock Incremental(string name, string value, bool huffman = false) =>
        Integer(0, 6, 0x40).String(name, huffman).String(value, huffman);

    /// <summary>§6.2.1 literal with incremental indexing, indexed name.</summary>
    public HpackBlock Incremental(int nameIndex, string value, bool huffman = false) =>
        Integer(nameIndex, 6, 0x40).String(value, huffman);

    /// <summary>§6.2.2 literal without indexing, new name.</summary>
    public HpackBlock WithoutIndexing(string name, string value, bool huffman = false) =>
        Integer(0, 4, 0x00).String(name, huffman).String(value, huffman);

    /// <summary>§6.2.2 literal without indexing, indexed name.</summary>
    public HpackBlock WithoutIndexing(int nameIndex, string value, bool huffman = false) =>
        Integer(nameIndex, 4, 0x00).String(value, huffman);

    /// <summary>§6.2.3 literal never indexed, new name.</summary>
    public HpackBlock NeverIndexed(string name, string value, bool huffman = false) =>
        Integer(0, 4, 0x10).String(name, huffman).String(value, huffman);

    /// <summary>§6.2.3 literal never indexed, indexed name.</summary>
    public HpackBlock NeverIndexed(int nameIndex, string value, bool huffman = false) =>
        Integer(nameIndex, 4, 0x10).String(value, huffman);

    /// <summary>§6.3 dynamic table size update.</summary>
    public HpackBlock SizeUpdate(int maxSize) => Integer(maxSize, 5, 0x20);

    public HpackBlock Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    public static implicit operator byte[](HpackBlock block) => block.ToArray();

    /// <summary>§5.1 integer with an N-bit prefix, the high bits of the first octet set to <paramref name="pattern"/>.</summary>
    public HpackBlock Integer(int value, int prefixBits, byte pattern)
    {
        int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            _bytes.Add((byte)(pattern | value));
            return this;
        }
        _bytes.Add((byte)(pattern | max));
        value -= max;
        while (value >= 128)
        {
            _bytes.Add((byte)(value % 128 + 128));
            value /= 128;
        }
        _bytes.Add((byte)value);
        return this;
    }

    /// <summary>§5.2 string literal, Latin-1, optionally Huffman-coded.</summary>
    public HpackBlock String(string text, bool huffman)
    {
        byte[] data = Encoding.Latin1.GetBytes(text);
        if (huffman) data = HuffmanEncode(data);
        Integer(data.Length, 7, huffman ? (byte)0x80 : (byte)0x00);
        _bytes.AddRange(data);
        return this;
    }

    /// <summary>Appendix B codes, most significant bit first, padded with ones (the prefix of EOS).</summary>
    public static byte[] HuffmanEncode(ReadOnlySpan<byte> data) => HuffmanEncodeSymbols([.. data.ToArray().Select(b => (int)b)]);

    /// <summary>Encodes any symbols, EOS (256) included, then pads with <paramref name="padding"/> ones.</summary>
    public static byte[] HuffmanEncodeSymbols(int[] symbols, int? padding = null)
    {
        var bits = new List<bool>();
        foreach (int symbol in symbols)
        {
            for (int bit = HpackHuffman.CodeLengths[symbol] - 1; bit >= 0; bit--)
                bits.Add(((HpackHuffman.Codes[symbol] >> bit) & 1) == 1);
        }
        int pad = padding ?? (8 - bits.Count % 8) % 8;
        for (int i = 0; i < pad; i++) bits.Add(true);
        var bytes = new byte[(bits.Count + 7) / 8];
        for (int i = 0; i < bits.Count; i++)
        {
            if (bits[i]) bytes[i / 8] |= (byte)(0x80 >> (i % 8));
        }
        return bytes;
    }

    /// <summary>Hex as RFC 7541 Appendix C prints it: pairs of digits, spaces and line breaks ignored.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(string.Concat(hex.Where(char.IsAsciiHexDigit)));
}
