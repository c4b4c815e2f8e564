using Capture.Tests.Support;
using Capture.Analyzer.Http2;
using Capture.Tests.Http2;

namespace Capture.Tests.Fuzz;

/// <summary>
/// The HTTP/2 frame reader, direction parser and stream assembler on mutated connections (the recorded Node
/// session and hand-built ones), fed in random pieces with lost bytes: no exception, no hang, bounded memory,
/// events inside the stream, streams assembled, and the same result however the bytes were split.
/// </summary>
public sealed class Http2FuzzTests
{
    public const int InputsPerDirection = 150_000;

    private static readonly Http2Limits Small = new(MaxHeaderBlockBytes: 64, PreviewBytesPerStream: 16, MaxTrackedStreams: 4);

    [Theory]
    [InlineData(true, 71)]
    [InlineData(false, 72)]
    public void Mutated_connections_end_in_events_or_typed_errors_and_assemble_into_streams(bool clientToServer, int seed)
    {
        var client = new Mutator(FuzzSeeds.Http2Client, FuzzSeeds.Http2Tokens);
        var server = new Mutator(FuzzSeeds.Http2Server, FuzzSeeds.Http2Tokens);
        var report = FuzzLoop.Run($"http2 {(clientToServer ? "client" : "server")} direction", seed, InputsPerDirection,
            clientToServer ? client.Next : server.Next, (input, random) =>
        {
            var limits = random.Next(4) == 0 ? Small : null;
            var peer = new PeerSettings(
                random.Next(8) == 0 ? random.Next(3) switch { 0 => 0, 1 => 64, _ => int.MaxValue } : null,
                random.Next(8) == 0 ? (random.Next(2) == 0 ? 0 : int.MaxValue) : null);
            var script = Script(input, random);
            var split = Parse(clientToServer, script, limits, peer, random, byPieces: true);
            if (random.Next(8) == 0)
            {
                var whole = Parse(clientToServer, script, limits, peer, random, byPieces: false);
                Assert.Equal(Http2Harness.Result(whole).ToString(), Http2Harness.Result(split).ToString());
            }
            // The other direction: a mutation of the other side's seeds, so that assembly meets nonsense on both sides.
            var other = clientToServer ? server.Next(random) : client.Next(random);
            var otherParser = Parse(!clientToServer, Script(other, random), limits, peer, random, byPieces: false);
            var streams = clientToServer ? Http2ExchangeAssembler.Assemble(split, otherParser) : Http2ExchangeAssembler.Assemble(otherParser, split);
            Assert.All(streams, s => Assert.True(s.StreamId > 0));
        });
        Assert.Equal(InputsPerDirection, report.Inputs);
    }

    private static Step[] Script(byte[] input, Random random)
    {
        var steps = new List<Step>();
        int cut = random.Next(4) == 0 ? random.Next(input.Length + 1) : input.Length;
        steps.Add(new Step.Bytes(input[..cut]));
        if (cut < input.Length)
        {
            steps.Add(new Step.Lost(random.Next(1, 5000)));
            steps.Add(new Step.Bytes(input[cut..]));
        }
        if (random.Next(2) == 0) steps.Add(new Step.Close());
        return [.. steps];
    }

    /// <summary>What the other side's SETTINGS said, when the test sets it: header table size and max frame size.</summary>
    private sealed record PeerSettings(int? HeaderTableSize, int? MaxFrameSize);

    private static Http2DirectionParser Parse(bool clientToServer, Step[] script, Http2Limits? limits, PeerSettings peer, Random random, bool byPieces)
    {
        var parser = new Http2DirectionParser(clientToServer, limits);
        if (peer.HeaderTableSize is { } tableSize) parser.SetPeerHeaderTableSize(tableSize);
        if (peer.MaxFrameSize is { } frameSize) parser.SetPeerMaxFrameSize(frameSize);
        long expected = 0;
        foreach (var step in script)
        {
            switch (step)
            {
                case Step.Bytes(var data):
                    int at = 0;
                    foreach (int piece in byPieces ? Mutator.Pieces(random, data.Length) : StreamSplits.Whole(data.Length))
                    {
                        parser.Feed(data.AsSpan(at, piece));
                        at += piece;
                    }
                    expected += data.Length;
                    break;
                case Step.Lost(var count):
                    parser.Gap(count);
                    expected += count;
                    break;
                case Step.Close:
                    parser.End();
                    break;
            }
        }
        Assert.Equal(expected, parser.Position);
        Assert.All(parser.Events, e => Assert.InRange(e.Offset, 0, expected));
        Assert.All(parser.Errors, e => Assert.InRange(e.Offset, 0, expected));
        return parser;
    }
}
