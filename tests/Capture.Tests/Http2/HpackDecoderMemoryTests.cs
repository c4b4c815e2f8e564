using Capture.Hpack;

namespace Capture.Tests.Http2;

/// <summary>What the decoder allocates for header blocks that repeat, as a server's responses do: the Recorder decodes
/// every block it sees, and each new string under load had been nearly all it allocated.</summary>
public sealed class HpackDecoderMemoryTests
{
    [Fact]
    public void A_value_sent_again_decodes_to_the_same_string_raw_or_huffman()
    {
        var decoder = new HpackDecoder();
        foreach (bool huffman in new[] { false, true })
        {
            var block = new HpackBlock().Incremental(28, "15", huffman).Incremental("date", "Mon, 23 Nov 2026 02:59:00 GMT", huffman).ToArray();
            var first = decoder.Decode(block).Headers;
            var again = decoder.Decode(block).Headers;
            Assert.Equal(first, again);
            Assert.Same(first[0].Value, again[0].Value);
            Assert.Same(first[1].Value, again[1].Value);
        }
    }

    [Fact]
    public void Values_that_share_a_slot_of_the_recent_strings_still_decode_each_to_itself()
    {
        var decoder = new HpackDecoder();
        var values = Enumerable.Range(0, 1000).Select(i => $"value-{i}").ToArray();
        for (int round = 0; round < 2; round++)
            foreach (var value in values)
                Assert.Equal(value, Assert.Single(decoder.Decode(new HpackBlock().WithoutIndexing("x-test", value).ToArray()).Headers).Value);
    }

    [Fact]
    public void Following_blocks_without_collecting_them_allocates_nothing_for_values_seen_before()
    {
        var decoder = new HpackDecoder();
        var block = new HpackBlock().Indexed(8).Incremental(28, "15").Incremental("date", "Mon, 23 Nov 2026 02:59:00 GMT", huffman: true)
            .WithoutIndexing(31, "text/plain").ToArray();
        var literals = new List<HpackLiteralValue>();
        // Until the dynamic table is full its entry ring grows; from then on each block only evicts and inserts.
        for (int i = 0; i < 200; i++)
        {
            literals.Clear();
            Assert.Null(decoder.Decode(block, literals, null, out _));
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            literals.Clear();
            Assert.Null(decoder.Decode(block, literals, null, out _));
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3, literals.Count);
    }
}
