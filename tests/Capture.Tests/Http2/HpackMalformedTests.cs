using Capture.Hpack;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.HpackBlock;

namespace Capture.Tests.Http2;

/// <summary>
/// Malformed header blocks: each gives the exact error (code, offset of the representation, message) and the
/// fields decoded before it.
/// </summary>
public sealed class HpackMalformedTests
{
    private sealed record Case(byte[] Block, HpackErrorCode Code, int Offset, string Message, string[] Before);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["indexed field with index 0"] = new(new HpackBlock().Indexed(2).Indexed(0),
            HpackErrorCode.InvalidIndex, 1, "index 0 is not a table index", [":method: GET"]),
        ["indexed field past an empty dynamic table"] = new(new HpackBlock().Indexed(62),
            HpackErrorCode.InvalidIndex, 0, "index 62 is past the static table (61 entries) and the dynamic table (0 entries)", []),
        ["indexed field past a dynamic table of one entry"] = new(new HpackBlock().Incremental("a", "b").Indexed(63),
            HpackErrorCode.InvalidIndex, 5, "index 63 is past the static table (61 entries) and the dynamic table (1 entries)", ["a: b"]),
        ["literal whose indexed name is past the tables"] = new(new HpackBlock().WithoutIndexing(100, "v"),
            HpackErrorCode.InvalidIndex, 0, "index 100 is past the static table (61 entries) and the dynamic table (0 entries)", []),
        ["table size update above SETTINGS_HEADER_TABLE_SIZE"] = new(new HpackBlock().SizeUpdate(4097),
            HpackErrorCode.TableSizeUpdateTooLarge, 0, "dynamic table size update to 4097 exceeds SETTINGS_HEADER_TABLE_SIZE 4096", []),
        ["table size update after a field"] = new(new HpackBlock().Indexed(2).SizeUpdate(100),
            HpackErrorCode.TableSizeUpdateNotAtStart, 1, "dynamic table size update after the first header field of the block", [":method: GET"]),
        ["integer whose prefix promises more octets, none follow"] = new(new HpackBlock().Raw(0xFF),
            HpackErrorCode.TruncatedInteger, 0, "header block ends inside an integer", []),
        ["integer whose continuation octet promises more"] = new(new HpackBlock().Indexed(2).Raw(0xFF, 0x80),
            HpackErrorCode.TruncatedInteger, 1, "header block ends inside an integer", [":method: GET"]),
        ["integer above 2^31-1"] = new(new HpackBlock().Raw(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F),
            HpackErrorCode.IntegerOverflow, 0, "integer exceeds 2147483647", []),
        ["integer padded with zero continuation octets"] = new(new HpackBlock().Raw(0xFF, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01),
            HpackErrorCode.IntegerOverflow, 0, "integer exceeds 2147483647", []),
        ["string length as an overflowing integer"] = new(new HpackBlock().Raw(0x40, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F),
            HpackErrorCode.IntegerOverflow, 1, "integer exceeds 2147483647", []),
        ["literal name missing"] = new(new HpackBlock().Raw(0x40),
            HpackErrorCode.TruncatedString, 1, "header block ends before a string literal", []),
        ["string shorter than its length"] = new(new HpackBlock().Raw(0x40, 0x0A, (byte)'c', (byte)'u'),
            HpackErrorCode.TruncatedString, 1, "string literal of 10 bytes, but the header block ends after 2", []),
        ["value missing after a literal name"] = new(new HpackBlock().Indexed(3).Raw(0x00, 0x01, (byte)'x'),
            HpackErrorCode.TruncatedString, 4, "header block ends before a string literal", [":method: POST"]),
        ["Huffman value with the EOS symbol"] = new(
            new HpackBlock().Raw(0x04, 0x80 | 4).Raw(HuffmanEncodeSymbols([HpackHuffman.Eos], padding: 2)),
            HpackErrorCode.InvalidHuffman, 1, "Huffman-encoded string contains the EOS symbol", []),
        ["Huffman name with 8 bits of padding"] = new(new HpackBlock().Raw(0x40, 0x82).Raw([.. HuffmanEncode("a"u8), 0xFF]),
            HpackErrorCode.InvalidHuffman, 1, "Huffman padding is longer than 7 bits", []),
        ["Huffman value padded with zeros"] = new(new HpackBlock().Raw(0x04, 0x81, 0x18),
            HpackErrorCode.InvalidHuffman, 1, "Huffman padding is not a prefix of the EOS symbol (not all ones)", []),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MalformedBlockGivesTheExactErrorAndTheFieldsBeforeIt(string name)
    {
        var c = Cases[name];
        var block = new HpackDecoder().Decode(c.Block);

        Assert.Equal(new HpackError(c.Code, c.Offset, c.Message), block.Error);
        Assert.Equal(c.Before, block.Headers.Select(f => $"{f.Key}: {f.Value}"));
    }

    [Fact]
    public void TwoTableSizeUpdatesAtTheStartOfABlockAreAllowed()
    {
        var decoder = new HpackDecoder();
        var block = decoder.Decode(new HpackBlock().SizeUpdate(0).SizeUpdate(2048).Indexed(4));

        Assert.Null(block.Error);
        Assert.Equal(2048, decoder.Table.Capacity);
    }

    [Fact]
    public void TableSizeUpdateEvictsDownToTheNewSize()
    {
        var decoder = new HpackDecoder();
        decoder.Decode(new HpackBlock().Incremental("aaaa", "1").Incremental("bbbb", "2")); // 37 octets each

        decoder.Decode(new HpackBlock().SizeUpdate(40));

        Assert.Equal(1, decoder.Table.Count);
        Assert.Equal("bbbb", decoder.Table[0].Name);
        Assert.Equal(37, decoder.Table.Size);
    }

    [Fact]
    public void EntryLargerThanTheTableEmptiesIt()
    {
        var decoder = new HpackDecoder(maxTableSize: 64);
        decoder.Decode(new HpackBlock().Incremental("a", "b"));

        var block = decoder.Decode(new HpackBlock().Incremental("big", new string('x', 40)));

        Assert.Null(block.Error);
        Assert.Equal(["big: " + new string('x', 40)], block.Headers.Select(f => $"{f.Key}: {f.Value}"));
        Assert.Equal(0, decoder.Table.Count);
        Assert.Equal(0, decoder.Table.Size);
    }

    [Fact]
    public void RaisingSettingsHeaderTableSizeAllowsLargerUpdates()
    {
        var decoder = new HpackDecoder { MaxTableSize = 65536 };

        Assert.Null(decoder.Decode(new HpackBlock().SizeUpdate(65536)).Error);
        Assert.Equal(HpackErrorCode.TableSizeUpdateTooLarge, decoder.Decode(new HpackBlock().SizeUpdate(65537)).Error?.Code);
    }
}
