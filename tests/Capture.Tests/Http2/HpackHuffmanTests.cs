using Capture.Hpack;
using System.Text;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.HpackBlock;

namespace Capture.Tests.Http2;

/// <summary>
/// The Huffman code of RFC 7541 Appendix B (§5.2): the table built from code lengths matches the appendix, every
/// symbol decodes, EOS is rejected, and padding must be at most 7 bits of ones.
/// </summary>
public sealed class HpackHuffmanTests
{
    private static string? Decode(byte[] encoded, out string text)
    {
        var buffer = new byte[HpackHuffman.MaxDecodedLength(encoded.Length)];
        string? error = HpackHuffman.Decode(encoded, buffer, out int written);
        text = Encoding.Latin1.GetString(buffer, 0, written);
        return error;
    }

    [Theory]
    [InlineData(0, 0x1ff8u, 13)]        // first symbol
    [InlineData(' ', 0x14u, 6)]
    [InlineData('0', 0x0u, 5)]          // shortest code
    [InlineData('a', 0x3u, 5)]
    [InlineData('z', 0x7bu, 7)]
    [InlineData(10, 0x3ffffffcu, 30)]   // LF: one of the 30-bit codes
    [InlineData(127, 0xffffffcu, 28)]
    [InlineData(255, 0x3ffffeeu, 26)]
    [InlineData(256, 0x3fffffffu, 30)]  // EOS
    public void CodesBuiltFromCodeLengthsMatchAppendixB(int symbol, uint code, int length)
    {
        Assert.Equal(code, HpackHuffman.Codes[symbol]);
        Assert.Equal(length, HpackHuffman.CodeLengths[symbol]);
    }

    [Fact]
    public void CodeIsCompletePrefixFreeAndCoversEverySymbolOnce()
    {
        // Kraft: a complete prefix code has sum 2^-length == 1. In units of 2^-30:
        long sum = HpackHuffman.CodeLengths.Sum(length => 1L << (30 - length));
        Assert.Equal(1L << 30, sum);
        Assert.Equal(257, HpackHuffman.CodeLengths.Count(length => length is >= 5 and <= 30));
    }

    [Fact]
    public void EverySymbolRoundTripsAloneAndAllTogether()
    {
        for (int symbol = 0; symbol < 256; symbol++)
        {
            Assert.Null(Decode(HuffmanEncode([(byte)symbol]), out string text));
            Assert.Equal(((char)symbol).ToString(), text);
        }
        byte[] all = [.. Enumerable.Range(0, 256).Select(i => (byte)i), .. Enumerable.Range(0, 256).Select(i => (byte)(255 - i))];
        Assert.Null(Decode(HuffmanEncode(all), out string decoded));
        Assert.Equal(Encoding.Latin1.GetString(all), decoded);
    }

    [Fact]
    public void RandomStringsRoundTrip()
    {
        var random = new Random(7541);
        for (int i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            Assert.Null(Decode(HuffmanEncode(bytes), out string text));
            Assert.Equal(Encoding.Latin1.GetString(bytes), text);
        }
    }

    [Fact]
    public void EmptyStringDecodesToNothing()
    {
        Assert.Null(Decode([], out string text));
        Assert.Equal("", text);
    }

    [Fact]
    public void RfcExampleStringsDecode()
    {
        Assert.Null(Decode(Hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff"), out string authority));
        Assert.Equal("www.example.com", authority);
        Assert.Null(Decode(Hex("a8eb 1064 9cbf"), out string noCache));
        Assert.Equal("no-cache", noCache);
    }

    public static TheoryData<string, byte[], string> InvalidStrings => new()
    {
        { "EOS after a symbol", HuffmanEncodeSymbols(['a', HpackHuffman.Eos]), "Huffman-encoded string contains the EOS symbol" },
        { "EOS alone (30 ones and 2 of padding)", HuffmanEncodeSymbols([HpackHuffman.Eos]), "Huffman-encoded string contains the EOS symbol" },
        { "a whole octet of padding", [.. HuffmanEncode("a"u8), 0xFF], "Huffman padding is longer than 7 bits" },
        { "only padding, 8 bits", [0xFF], "Huffman padding is longer than 7 bits" },
        { "padding of zeros", [0x18], "Huffman padding is not a prefix of the EOS symbol (not all ones)" },   // 'a' = 00011, then 000
        { "padding of ones and a zero", [0x1E], "Huffman padding is not a prefix of the EOS symbol (not all ones)" }, // 00011 110
        { "a code cut short", [0xFF, 0xFE], "Huffman padding is not a prefix of the EOS symbol (not all ones)" },
    };

    [Theory]
    [MemberData(nameof(InvalidStrings))]
    public void InvalidStringIsRejectedWithTheExactReason(string name, byte[] encoded, string error)
    {
        Assert.True(error == Decode(encoded, out _), name);
    }

    [Fact]
    public void PaddingOfUpToSevenOnesIsAccepted()
    {
        // 'a' (5 bits) + 3 ones; '0','0','0' (15 bits) + 1 one; 'z' (7 bits) + 1 one; ' ' ... with 2 ones.
        foreach (string text in new[] { "a", "000", "z", "  ", "aaaaaaa" })
        {
            Assert.Null(Decode(HuffmanEncode(Encoding.Latin1.GetBytes(text)), out string decoded));
            Assert.Equal(text, decoded);
        }
    }
}
