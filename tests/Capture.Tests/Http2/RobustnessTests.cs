using Capture.Hpack;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.Frames;
using static Capture.Tests.Http2.Http2Harness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http2;

/// <summary>
/// Whatever bytes arrive, the direction parser never throws, keeps its offsets within the stream, and gives the
/// same result however the bytes are split. Inputs come from fixed seeds, so a failure reproduces.
/// </summary>
public sealed class RobustnessTests
{
    /// <summary>Pieces random streams are made of: mostly frames, so that framing, HPACK and resync all happen.</summary>
    private static readonly byte[][] Pieces =
    [
        Preface, Settings((1, 4096), (5, 16384)), SettingsAck(), Settings((5, 1)),
        Headers(1, new HpackBlock().Indexed(2).Indexed(7).Indexed(4).Incremental(1, "example.com"), endStream: true),
        Headers(3, new HpackBlock().Indexed(8).Indexed(62).Indexed(63)),
        Headers(5, new HpackBlock().SizeUpdate(0).Incremental("x-a", new string('a', 50), huffman: true), pad: 5, priority: (false, 1, 16)),
        Headers(7, new HpackBlock().Indexed(2).Indexed(4), endHeaders: false), Continuation(7, new HpackBlock().Indexed(6)),
        Continuation(9, [0x82], endHeaders: false), Headers(2, new HpackBlock().Indexed(70)),
        PushPromise(1, 2, new HpackBlock().Indexed(2).Indexed(4)),
        Data(1, "hello"), Data(3, "world", endStream: true, pad: 7), Data(5, Grpc("abc")), Data(0, "x"),
        Data(1, new string('z', 300)), Frame(0x0, Padded, 1, [9, 1]),
        RstStream(3, 8), GoAway(5, 2, "debug"), Ping(1), WindowUpdate(1, 0), Priority(3, 1, 10), Frame(0xEE, 0xFF, 9, [1, 2, 3]),
        Frame(0x1, EndHeaders, 1, [], length: 20000), [0, 0], [0xFF, 0xFF, 0xFF, 0xFF], "garbage text"u8.ToArray(),
    ];

    public static TheoryData<int> Seeds => new(Enumerable.Range(0, 60));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomInputNeverThrowsKeepsOffsetsConsistentAndIgnoresSplits(int seed)
    {
        var random = new Random(seed);
        var steps = new List<object>();
        long total = 0;
        for (int i = 0; i < 30; i++)
        {
            switch (random.Next(10))
            {
                case 0:
                    var noise = new byte[random.Next(1, 40)];
                    random.NextBytes(noise);
                    steps.Add(noise);
                    total += noise.Length;
                    break;
                case 1:
                    int lost = random.Next(1, 30);
                    steps.Add(lost);
                    total += lost;
                    break;
                default:
                    var piece = (byte[])Pieces[random.Next(Pieces.Length)].Clone();
                    if (random.Next(5) == 0) piece[random.Next(piece.Length)] ^= (byte)(1 << random.Next(8));
                    if (random.Next(6) == 0) piece = piece[..random.Next(piece.Length)];
                    steps.Add(piece);
                    total += piece.Length;
                    break;
            }
        }
        steps.Add(new Step.Close());
        var script = Script([.. steps]);
        bool client = seed % 2 == 0;

        var parser = Parse(client, script, Whole);
        Assert.Equal(total, parser.Position);
        Assert.All(parser.Events, e => Assert.InRange(e.Offset, 0, total));
        Assert.All(parser.Errors, e => Assert.InRange(e.Offset, 0, total));
        // Whatever events come out, streams can be assembled from them (here both directions get the same list).
        Assert.All(Http2ExchangeAssembler.Assemble(parser.Events, parser.Events, parser.Errors, parser.Errors),
            stream => Assert.True(stream.StreamId > 0));

        string whole = Result(parser).ToString();
        foreach (var (how, split) in AllSplitters())
        {
            string result = Run(client, script, split).ToString();
            Assert.True(whole == result, $"seed {seed} fed {how}:\n{result}\nwhole:\n{whole}");
        }
    }

    [Fact]
    public void EveryPrefixOfAConnectionParsesWithoutThrowing()
    {
        byte[] stream = Concat(Pieces.Take(20).ToArray());
        for (int length = 0; length <= stream.Length; length++)
        {
            var parser = Parse(true, Script(stream[..length], new Step.Close()), Whole);
            Assert.Equal(length, parser.Position);
        }
    }

    [Fact]
    public void CallsAfterEndAreIgnored()
    {
        var parser = new Http2DirectionParser(clientToServer: false);
        parser.Feed(Settings());
        parser.End();
        parser.Feed(Headers(1, new HpackBlock().Indexed(8)));
        parser.Gap(10);
        parser.End();

        Assert.Single(parser.Events);
        Assert.Equal(9 + 10 + 10, parser.Position);
    }
}
