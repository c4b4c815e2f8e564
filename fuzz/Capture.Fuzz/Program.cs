using Capture.Hpack;
using Capture.Analyzer.Http1;
using Capture.Analyzer.Http2;
using SharpFuzz;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// One parser per run, chosen by the first argument. AFL++ feeds each input on stdin; any exception is a crash
// (the parsers never throw on input, whatever it is), and AFL's -t catches hangs.
var targets = new Dictionary<string, Action<byte[]>>
{
    ["http1-request"] = input => Http1(Http1MessageKind.Request, input),
    ["http1-response"] = input => Http1(Http1MessageKind.Response, input),
    ["http2-client"] = input => Http2(true, input),
    ["http2-server"] = input => Http2(false, input),
    ["hpack"] = Hpack,
};
if (args.Length != 1 || !targets.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Capture.Fuzz {string.Join('|', targets.Keys)}   (run by fuzz/afl.sh)");
    return 2;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target(copy.ToArray());
});
return 0;

// The first byte chooses how the rest is cut into feeds, so that AFL also explores splits.
static IEnumerable<ReadOnlyMemory<byte>> Pieces(byte[] input)
{
    if (input.Length == 0) yield break;
    int piece = input[0] == 0 ? input.Length : input[0];
    for (int at = 1; at < input.Length; at += piece)
        yield return input.AsMemory(at, Math.Min(piece, input.Length - at));
}

// Feeds every piece, ends the stream, and checks that the parser accounted for every byte.
static void FeedAll(byte[] input, ReadOnlySpanAction feed, Action end, Func<long> position)
{
    long fed = 0;
    foreach (var piece in Pieces(input))
    {
        feed(piece.Span);
        fed += piece.Length;
    }
    end();
    if (position() != fed) throw new InvalidOperationException($"position {position()} after {fed} bytes");
}

static void Http1(Http1MessageKind kind, byte[] input)
{
    var parser = new Http1StreamParser(kind);
    var methods = new Queue<string?>(["GET", "HEAD", "CONNECT", null]);
    parser.RequestMethodForNextResponse = () => methods.Count > 0 ? methods.Dequeue() : null;
    FeedAll(input, parser.Feed, parser.End, () => parser.Position);
}

static void Http2(bool clientToServer, byte[] input)
{
    var parser = new Http2DirectionParser(clientToServer);
    FeedAll(input, parser.Feed, parser.End, () => parser.Position);
    Http2ExchangeAssembler.Assemble(parser.Events, parser.Events, parser.Errors, parser.Errors);
}

static void Hpack(byte[] input)
{
    var decoder = new HpackDecoder();
    // One connection's header blocks in a row (the dynamic table carries over), cut where the first byte says.
    foreach (var block in Pieces(input)) decoder.Decode(block.Span);
}

internal delegate void ReadOnlySpanAction(ReadOnlySpan<byte> bytes);
