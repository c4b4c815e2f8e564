using Capture.Hpack;
using Capture.Analyzer.Http2;

namespace Capture.Tests.Http2;

/// <summary>
/// A decoder that joined a connection mid-way (<see cref="HpackDecoder.StartWithUnknownContext"/>) or lost
/// header blocks: references to dynamic entries it never saw give the unknown marker, never a wrong field;
/// static and literal fields decode; entries it saw inserted are known.
/// </summary>
public sealed class HpackUnknownContextTests
{
    private const string Unknown = HpackDecoder.UnknownName;

    private static string[] Fields(HpackHeaderBlock block) => block.Headers.Select(f => $"{f.Key}: {f.Value}").ToArray();

    [Fact]
    public void StaticAndLiteralFieldsDecodeAndUnseenDynamicEntriesAreUnknown()
    {
        var decoder = HpackDecoder.StartWithUnknownContext();

        var block = decoder.Decode(new HpackBlock().Indexed(2).Indexed(62).WithoutIndexing("x-trace", "42").Indexed(70).Indexed(4));

        Assert.Null(block.Error);
        Assert.Equal([":method: GET", $"{Unknown}: <unknown>", "x-trace: 42", $"{Unknown}: <unknown>", ":path: /"], Fields(block));
        Assert.Equal(2, block.UnknownCount);
        Assert.True(block.HasUnknown);
    }

    [Fact]
    public void EntriesInsertedAfterJoiningAreKnownAndOlderOnesStayUnknown()
    {
        var decoder = HpackDecoder.StartWithUnknownContext();
        decoder.Decode(new HpackBlock().Incremental(1, "example.com").Incremental("x-a", "1"));

        var block = decoder.Decode(new HpackBlock().Indexed(62).Indexed(63).Indexed(64));

        Assert.Equal(["x-a: 1", ":authority: example.com", $"{Unknown}: <unknown>"], Fields(block));
        Assert.Equal(1, block.UnknownCount);
    }

    [Fact]
    public void LiteralWithAnUnknownIndexedNameKeepsItsValueAndTheEntryItAddsHasAnUnknownName()
    {
        var decoder = HpackDecoder.StartWithUnknownContext();

        var first = decoder.Decode(new HpackBlock().Incremental(65, "value-1"));
        var second = decoder.Decode(new HpackBlock().Indexed(62));

        Assert.Equal([$"{Unknown}: value-1"], Fields(first));
        Assert.Equal([$"{Unknown}: value-1"], Fields(second));
        Assert.True(second.HasUnknown);
        Assert.True(decoder.ContextLost);
    }

    [Fact]
    public void TableSizeUpdateToZeroMakesTheContextKnownAgain()
    {
        var decoder = HpackDecoder.StartWithUnknownContext();
        Assert.True(decoder.ContextLost);

        var block = decoder.Decode(new HpackBlock().SizeUpdate(0).SizeUpdate(4096).Incremental("x-a", "1").Indexed(62).Indexed(63));

        Assert.False(decoder.ContextLost);
        Assert.Equal(["x-a: 1", "x-a: 1"], Fields(block));
        Assert.Equal(HpackErrorCode.InvalidIndex, block.Error?.Code);
    }

    [Fact]
    public void KnownEntriesThatFillTheAnnouncedSizeLeaveNoRoomForUnknownOnes()
    {
        // After an update to 100 octets, two known entries of 37 octets leave 26: no entry (at least 32) fits.
        var decoder = HpackDecoder.StartWithUnknownContext();
        decoder.Decode(new HpackBlock().SizeUpdate(100).Incremental("aaaa", "1"));
        Assert.True(decoder.ContextLost);

        decoder.Decode(new HpackBlock().Incremental("bbbb", "2"));

        Assert.False(decoder.ContextLost);
        Assert.Equal(HpackErrorCode.InvalidIndex, decoder.Decode(new HpackBlock().Indexed(64)).Error?.Code);
    }

    [Fact]
    public void IndexBeyondWhatTheAnnouncedSizeCanHoldIsInvalidEvenWithAnUnknownTail()
    {
        var decoder = HpackDecoder.StartWithUnknownContext();
        decoder.Decode(new HpackBlock().SizeUpdate(320)); // at most 10 entries

        Assert.True(decoder.Decode(new HpackBlock().Indexed(71)).HasUnknown);
        Assert.Equal(HpackErrorCode.InvalidIndex, decoder.Decode(new HpackBlock().Indexed(72)).Error?.Code);
    }

    [Fact]
    public void WithoutKnownSettingsAnyTableSizeUpdateIsAccepted()
    {
        var decoder = HpackDecoder.StartWithUnknownContext();
        Assert.Null(decoder.Decode(new HpackBlock().SizeUpdate(65536)).Error);

        decoder.MaxTableSize = 4096;
        Assert.Equal(HpackErrorCode.TableSizeUpdateTooLarge, decoder.Decode(new HpackBlock().SizeUpdate(8192)).Error?.Code);
    }

    [Fact]
    public void LosingContextForgetsEveryEntryButKeepsDecodingStaticFields()
    {
        var decoder = new HpackDecoder();
        decoder.Decode(new HpackBlock().Incremental("x-a", "1"));
        Assert.False(decoder.ContextLost);

        decoder.LoseContext();
        var block = decoder.Decode(new HpackBlock().Indexed(62).Indexed(8));

        Assert.Equal([$"{Unknown}: <unknown>", ":status: 200"], Fields(block));
        Assert.True(decoder.ContextLost);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UnknownContextNeverYieldsAWrongField(bool settingsKnown)
    {
        // An encoder with a full history, and a decoder that joins after the first block: every field the
        // late decoder names must equal the encoder's, or be unknown. Once the encoder's table has turned over,
        // nothing is unknown any more; knowing SETTINGS_HEADER_TABLE_SIZE also proves the unknown tail is gone.
        var random = new Random(9113);
        var history = new List<(string Name, string Value)>(); // the encoder's dynamic table, newest first
        var full = new HpackDecoder();
        var late = HpackDecoder.StartWithUnknownContext();
        if (settingsKnown) late.MaxTableSize = 4096;
        int lastUnknown = 0;
        for (int blockNumber = 0; blockNumber < 200; blockNumber++)
        {
            var block = new HpackBlock();
            for (int i = 0; i < 6; i++)
            {
                if (history.Count > 0 && random.Next(2) == 0) block.Indexed(62 + random.Next(history.Count));
                else
                {
                    var field = ($"x-{random.Next(30)}", new string('v', random.Next(0, 200)));
                    block.Incremental(field.Item1, field.Item2, huffman: random.Next(2) == 0);
                    history.Insert(0, field);
                    // Keep the encoder's view in step with a 4096-octet table.
                    while (history.Sum(f => f.Name.Length + f.Value.Length + 32) > 4096) history.RemoveAt(history.Count - 1);
                }
            }
            byte[] bytes = block;
            var truth = full.Decode(bytes);
            Assert.Null(truth.Error);
            if (blockNumber == 0) continue;
            var seen = late.Decode(bytes);
            Assert.Null(seen.Error);
            if (seen.HasUnknown) lastUnknown = blockNumber;
            for (int i = 0; i < truth.Headers.Count; i++)
            {
                if (seen.Headers[i].Key != Unknown) Assert.Equal(truth.Headers[i], seen.Headers[i]);
            }
        }
        Assert.InRange(lastUnknown, 1, 100); // 4096 octets turn over well within 200 blocks
        Assert.Equal(!settingsKnown, late.ContextLost);
    }
}
