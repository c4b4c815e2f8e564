using Capture.Hpack;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// gRPC over HTTP/2: service and method from :path, status and message from the trailers (or the headers of a
/// trailers-only response), and length-prefixed messages counted however DATA frames cut them.
/// </summary>
public sealed class GrpcTests
{
    private static HpackBlock Call(string path) => new HpackBlock().Indexed(3).Indexed(6).WithoutIndexing(4, path)
        .WithoutIndexing(1, "localhost:50051").WithoutIndexing(31, "application/grpc").WithoutIndexing("te", "trailers");

    private static readonly HpackBlock Ok = new HpackBlock().Indexed(8).WithoutIndexing(31, "application/grpc+proto");

    private static HpackBlock Trailers(int status, string? message = null)
    {
        var block = new HpackBlock().WithoutIndexing("grpc-status", status.ToString());
        return message is null ? block : block.WithoutIndexing("grpc-message", message);
    }

    [Fact]
    public void UnaryCallWithMessagesSplitAcrossDataFrames()
    {
        byte[] request = Grpc("name: world");   // 5 + 11 octets
        byte[] reply = Grpc("message: Hello world");
        var stream = Single(
            [ClientStart, Headers(1, Call("/helloworld.Greeter/SayHello")),
             Data(1, request[..3]), Data(1, request[3..9]), Data(1, request[9..], endStream: true)],
            [ServerStart, Headers(1, Ok), Data(1, reply[..5]), Data(1, reply[5..]),
             Headers(1, Trailers(0), endStream: true)]);

        Assert.True(stream.IsGrpc);
        Assert.Equal(("helloworld.Greeter", "SayHello"), (stream.GrpcService, stream.GrpcMethod));
        Assert.Equal(("POST", 200), (stream.Method, stream.Status));
        Assert.Equal(0, stream.GrpcStatus);
        Assert.Null(stream.GrpcMessage);
        Assert.Equal((1, 1), (stream.RequestMessages, stream.ResponseMessages));
        Assert.Equal(Http2StreamFlags.None, stream.Flags);
    }

    [Fact]
    public void ServerStreamingCountsEveryMessageIncludingEmptyOnes()
    {
        byte[] messages = Concat(Grpc("one"), Grpc(""), Grpc("three"), Grpc("four"));
        var stream = Single(
            [ClientStart, Headers(1, Call("/pkg.sub.Feed/Watch")), Data(1, Grpc("q"), endStream: true)],
            [ServerStart, Headers(1, Ok),
             Data(1, messages[..7]), Data(1, messages[7..20]), Data(1, messages[20..]),
             Headers(1, Trailers(2, "bad%20thing%3A%20%E2%9C%93"), endStream: true)]);

        Assert.Equal(("pkg.sub.Feed", "Watch"), (stream.GrpcService, stream.GrpcMethod));
        Assert.Equal((1, 4), (stream.RequestMessages, stream.ResponseMessages));
        Assert.Equal(2, stream.GrpcStatus);
        Assert.Equal("bad thing: \u2713", stream.GrpcMessage);
    }

    [Fact]
    public void TrailersOnlyResponseCarriesTheStatusInItsHeaders()
    {
        var stream = Single(
            [ClientStart, Headers(1, Call("/pkg.Service/Missing")), Data(1, Grpc(""), endStream: true)],
            [ServerStart, Headers(1, new HpackBlock().Indexed(8).WithoutIndexing(31, "application/grpc")
                .WithoutIndexing("grpc-status", "12").WithoutIndexing("grpc-message", "unknown%20method"), endStream: true)]);

        Assert.Equal(200, stream.Status);
        Assert.Equal(12, stream.GrpcStatus);
        Assert.Equal("unknown method", stream.GrpcMessage);
        Assert.Empty(stream.ResponseTrailers);
        Assert.Equal((1, 0), (stream.RequestMessages, stream.ResponseMessages));
        Assert.Equal(Http2StreamFlags.None, stream.Flags);
    }

    [Fact]
    public void MessageCutOffByTheEndOfTheStreamIsNotCounted()
    {
        byte[] reply = Grpc("complete and more");
        var stream = Single(
            [ClientStart, Headers(1, Call("/pkg.Service/Call")), Data(1, Grpc("x"), endStream: true)],
            [ServerStart, Headers(1, Ok), Data(1, Concat(Grpc("first"), reply[..8])), RstStream(1, 8)]);

        Assert.Equal(1, stream.ResponseMessages);
        Assert.Equal(Http2StreamFlags.Reset | Http2StreamFlags.Incomplete, stream.Flags);
        Assert.Null(stream.GrpcStatus);
    }

    [Fact]
    public void LostDataOctetsStopTheCountForThatStream()
    {
        byte[] messages = Concat(Grpc("one"), Grpc("two"), Grpc("three"));
        var stream = Single(
            [ClientStart, Headers(1, Call("/pkg.Service/Call")), Data(1, Grpc("x"), endStream: true)],
            [ServerStart, Headers(1, Ok), Data(1, messages)[..(9 + 10)], 2, Data(1, messages)[(9 + 12)..],
             Headers(1, Trailers(0), endStream: true)]);

        // "one" ended before the gap; after it, message boundaries cannot be known.
        Assert.Equal(1, stream.ResponseMessages);
        Assert.Equal(Http2StreamFlags.Gap, stream.Flags);
    }

    [Fact]
    public void NonGrpcContentTypeIsNotCounted()
    {
        var stream = Single(
            [ClientStart, Headers(1, new HpackBlock().Indexed(3).Indexed(7).WithoutIndexing(4, "/a/b").WithoutIndexing(1, "h")
                .WithoutIndexing(31, "application/json")), Data(1, Grpc("{}"), endStream: true)],
            [ServerStart, Headers(1, new HpackBlock().Indexed(8).WithoutIndexing("grpc-status", "0"), endStream: true)]);

        Assert.False(stream.IsGrpc);
        Assert.Equal((null, null, null, 0), (stream.GrpcService, stream.GrpcMethod, stream.GrpcStatus, stream.RequestMessages));
    }

    [Theory]
    [InlineData("/helloworld.Greeter/SayHello", "helloworld.Greeter", "SayHello")]
    [InlineData("/Svc/M", "Svc", "M")]
    [InlineData("/a/b/c", null, null)]
    [InlineData("/noslash", null, null)]
    [InlineData("//M", null, null)]
    [InlineData("/Svc/", null, null)]
    public void ServiceAndMethodComeFromAPathOfTwoSegments(string path, string? service, string? method)
    {
        bool ok = GrpcFields.TrySplitPath(path, out string s, out string m);
        Assert.Equal(service is not null, ok);
        if (ok) Assert.Equal((service, method), (s, m));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a%20b", "a b")]
    [InlineData("%E2%9C%93 done", "\u2713 done")]
    [InlineData("100%", "100%")]
    [InlineData("%zz%4", "%zz%4")]
    public void GrpcMessageIsPercentDecodedUtf8(string raw, string decoded) => Assert.Equal(decoded, GrpcFields.PercentDecode(raw));
}
