using Capture.Hpack;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.Http2Harness;
using static Capture.Tests.Support.StreamSplits;

namespace Capture.Tests.Http2;

/// <summary>
/// Both directions of one real h2c connection between Node's http2 client and server (nghttp2 on both ends),
/// recorded by fixtures/http2/record-session.mjs: Huffman-coded fields, a shared dynamic table, a large body in
/// many DATA frames, request trailers, a push, two gRPC calls and a cancelled stream.
/// </summary>
public sealed class RecordedSessionTests
{
    private static byte[] Fixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "fixtures", "http2", name);
            if (File.Exists(candidate)) return File.ReadAllBytes(candidate);
        }
        throw new FileNotFoundException($"fixtures/http2/{name} not found above {AppContext.BaseDirectory}");
    }

    private static readonly byte[] ClientBytes = Fixture("session.client.bin");
    private static readonly byte[] ServerBytes = Fixture("session.server.bin");

    private static (Http2DirectionParser Client, Http2DirectionParser Server) Parse(Splitter split, long skip = 0)
    {
        var client = Http2Harness.Parse(true, Steps(ClientBytes, skip), split);
        var server = Http2Harness.Parse(false, Steps(ServerBytes, skip), split);
        return (client, server);
    }

    /// <summary>The direction as a capture that joined <paramref name="skip"/> octets late sees it.</summary>
    private static Step[] Steps(byte[] bytes, long skip) => skip == 0
        ? Script(bytes, new Step.Close())
        : Script((int)skip, bytes[(int)skip..], new Step.Close());

    [Fact]
    public void EveryStreamOfTheSessionIsAssembled()
    {
        var (client, server) = Parse(Whole);
        Assert.Empty(client.Errors);
        Assert.Empty(server.Errors);
        Assert.False(client.ContextLost || server.ContextLost);

        var streams = Http2ExchangeAssembler.Assemble(client, server);
        Assert.Equal(
        [
            "1 GET /: 200, body 0/14, req 33-68, resp 18-101, None",
            "2 GET /style.css: 200, body 0/6, req 40217-40254, resp 40266-40346, None, pushed on 9",
            "3 GET /big: 200, body 0/40000, req 77-95, resp 101-40157, None",
            "5 POST /upload: 201, body 1000/8, req 108-1167, resp 40157-40197, None",
            "7 GET /missing: 404, body 0/0, req 1167-1187, resp 40197-40217, None",
            "9 GET /push: 200, body 0/37, req 1187-1205, resp 40254-40331, None",
            "11 POST /helloworld.Greeter/SayHello: 200, body 10/16, req 1205-1283, resp 40346-40416, None, grpc status 0 messages 1/1",
            "13 POST /feed.Feed/Watch: 200, body 12/32, req 1283-1349, resp 40416-40562, None, grpc status 5 messages 2/4",
            "15 GET /slow: 200, body 0/7, req 1349-1367, resp 40562-40589, Reset, Incomplete",
        ], streams.Select(s =>
            $"{s.StreamId} {s.Method} {s.Path}: {s.Status}, body {s.RequestBodyBytes}/{s.ResponseBodyBytes}, " +
            $"req {s.RequestStartOffset}-{s.RequestEndOffset}, resp {s.ResponseStartOffset}-{s.ResponseEndOffset}, {s.Flags}" +
            (s.IsPush ? $", pushed on {s.AssociatedStreamId}" : "") +
            (s.IsGrpc ? $", grpc status {s.GrpcStatus} messages {s.RequestMessages}/{s.ResponseMessages}" : "")));

        Assert.Equal("[x-checksum: abc]", Fields(streams[3].RequestTrailers));
        Assert.Equal("not found: \u2713", streams[7].GrpcMessage);
        Assert.Equal(40000, streams[2].ResponseBodyPreview.Length);
        Assert.All(streams, s => Assert.Equal("127.0.0.1:45135", s.Authority));
    }

    [Fact]
    public void SessionParsesTheSameHoweverItIsSplit()
    {
        var (client, server) = Parse(Whole);
        string whole = Result(client) + "\n" + Result(server);
        foreach (var (how, split) in AllSplitters())
        {
            var (c, s) = Parse(split);
            Assert.True(whole == Result(c) + "\n" + Result(s), $"fed {how}");
        }
    }

    public static TheoryData<bool> Directions => new([true, false]);

    [Theory]
    [MemberData(nameof(Directions))]
    public void CaptureThatJoinsLateNeverReportsAWrongField(bool clientToServer)
    {
        byte[] bytes = clientToServer ? ClientBytes : ServerBytes;
        var truth = Http2Harness.Parse(clientToServer, Steps(bytes, 0), Whole).Events
            .OfType<Http2HeadersEvent>().ToDictionary(e => e.Offset);
        int step = clientToServer ? 3 : 97;
        for (int skip = 1; skip < bytes.Length; skip += step)
        {
            var late = Http2Harness.Parse(clientToServer, Steps(bytes, skip), Whole);
            Assert.True(late.StartedMidConnection);
            Assert.Empty(late.Errors);
            foreach (var block in late.Events.OfType<Http2HeadersEvent>())
            {
                // Every block the late capture decodes is one the full capture decoded, field by field or unknown.
                Assert.True(truth.TryGetValue(block.Offset, out var full), $"skip {skip}: no block at {block.Offset}");
                Assert.Equal(full.Headers.Count, block.Headers.Count);
                for (int i = 0; i < full.Headers.Count; i++)
                {
                    if (block.Headers[i].Key == HpackDecoder.UnknownName) Assert.True(block.ContextLost);
                    else Assert.Equal(full.Headers[i], block.Headers[i]);
                }
            }
        }
    }
}
