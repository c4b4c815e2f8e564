using Capture.Tests.Support;
using Capture.Analyzer.Http1;
using Capture.Tests.Http1;

namespace Capture.Tests.Fuzz;

/// <summary>
/// The HTTP/1.x parser on hundreds of thousands of mutated requests and responses, fed in random pieces with
/// lost bytes between them: it never throws, never hangs, keeps memory bounded, keeps its offsets inside the
/// stream, and gives the same result however the bytes were split.
/// </summary>
public sealed class Http1FuzzTests
{
    public const int InputsPerDirection = 200_000;

    private static readonly Http1Limits Small = new(MaxHeadBytes: 64, MaxHeaderCount: 3, BodyPreviewBytes: 8);

    [Theory]
    [InlineData(true, 61)]
    [InlineData(false, 62)]
    public void Mutated_streams_end_in_messages_or_typed_errors_with_consistent_offsets_however_split(bool requests, int seed)
    {
        var kind = requests ? Http1MessageKind.Request : Http1MessageKind.Response;
        var mutator = new Mutator(kind == Http1MessageKind.Request ? FuzzSeeds.Http1Requests : FuzzSeeds.Http1Responses, FuzzSeeds.Http1Tokens);
        var report = FuzzLoop.Run($"http1 {kind}", seed, InputsPerDirection, mutator.Next, (input, random) =>
        {
            var limits = random.Next(4) == 0 ? Small : null;
            var methods = Enumerable.Range(0, 4).Select(_ => new[] { "GET", "HEAD", "CONNECT", null }[random.Next(4)]).ToArray();
            var script = Script(input, random);
            var split = Parse(kind, script, limits, methods, random, byPieces: true);
            if (random.Next(8) == 0)
            {
                var whole = Parse(kind, script, limits, methods, random, byPieces: false);
                Assert.Equal(ParserHarness.Result(whole).ToString(), ParserHarness.Result(split).ToString());
            }
        });
        Assert.Equal(InputsPerDirection, report.Inputs);
    }

    /// <summary>The input as a capture could deliver it: usually whole, sometimes with a hole, sometimes closed.</summary>
    private static StreamOp[] Script(byte[] input, Random random)
    {
        var ops = new List<StreamOp>();
        int cut = random.Next(3) == 0 ? random.Next(input.Length + 1) : input.Length;
        ops.Add(new StreamOp.Bytes(input[..cut]));
        if (cut < input.Length)
        {
            ops.Add(new StreamOp.Lost(random.Next(1, 100)));
            ops.Add(new StreamOp.Bytes(input[cut..]));
        }
        if (random.Next(2) == 0) ops.Add(new StreamOp.Close());
        return [.. ops];
    }

    private static Http1StreamParser Parse(Http1MessageKind kind, StreamOp[] script, Http1Limits? limits, string?[] methods, Random random, bool byPieces)
    {
        var parser = new Http1StreamParser(kind, limits);
        var queue = new Queue<string?>(methods);
        parser.RequestMethodForNextResponse = () => queue.Count > 0 ? queue.Dequeue() : null;
        long expected = 0;
        foreach (var op in script)
        {
            switch (op)
            {
                case StreamOp.Bytes(var data):
                    int at = 0;
                    foreach (int piece in byPieces ? Mutator.Pieces(random, data.Length) : StreamSplits.Whole(data.Length))
                    {
                        parser.Feed(data.AsSpan(at, piece));
                        at += piece;
                    }
                    expected += data.Length;
                    break;
                case StreamOp.Lost(var count):
                    parser.Gap(count);
                    expected += count;
                    break;
                case StreamOp.Close:
                    parser.End();
                    break;
            }
        }
        Assert.Equal(expected, parser.Position);
        long previousEnd = 0;
        foreach (var m in parser.Messages)
        {
            Assert.True(m.StartOffset >= previousEnd && m.StartOffset < m.HeadEndOffset && m.HeadEndOffset <= m.EndOffset && m.EndOffset <= expected,
                ParserHarness.Describe(m));
            previousEnd = m.EndOffset;
        }
        foreach (var e in parser.Errors) Assert.InRange(e.Offset, 0, expected);
        return parser;
    }
}
