using Capture.Hpack;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// Streams from the two directions of a connection: each request is paired with the response on its stream id,
/// with offsets of the respective direction, bodies, trailers, and flags for what went wrong.
/// </summary>
public sealed class ExchangeAssemblerTests
{
    [Fact]
    public void RequestAndResponseOnOneStreamArePaired()
    {
        var stream = Single(
            [ClientStart, Headers(1, Get("/index.html"), endStream: true)],
            [ServerStart, Headers(1, new HpackBlock().Indexed(8).WithoutIndexing(31, "text/plain")), Data(1, "hello", endStream: true)]);

        Assert.Equal(1, stream.StreamId);
        Assert.Equal(("GET", "https", "example.com", "/index.html", 200), (stream.Method, stream.Scheme, stream.Authority, stream.Path, stream.Status));
        Assert.Equal((33L, 70L), (stream.RequestStartOffset!.Value, stream.RequestEndOffset!.Value));
        Assert.Equal((18L, 55L), (stream.ResponseStartOffset!.Value, stream.ResponseEndOffset!.Value));
        Assert.Equal((0L, 5L), (stream.RequestBodyBytes, stream.ResponseBodyBytes));
        Assert.Equal("hello"u8.ToArray(), stream.ResponseBodyPreview);
        Assert.Equal("[:status: 200][content-type: text/plain]", Fields(stream.ResponseHeaders));
        Assert.Equal(Http2StreamFlags.None, stream.Flags);
        Assert.False(stream.IsGrpc);
    }

    [Fact]
    public void InterleavedStreamsArePairedByStreamId()
    {
        var streams = Assemble(
            [ClientStart, Headers(1, Get("/a"), endStream: true), Headers(3, Get("/b"), endStream: true), Headers(5, Get("/c"), endStream: true)],
            [ServerStart,
             Headers(3, Status(404)), Headers(1, Status(200)), Data(1, "a1"), Data(3, "b", endStream: true),
             Headers(5, Status(204), endStream: true), Data(1, "a2", endStream: true)]);

        Assert.Equal(["1 /a 200 4", "3 /b 404 1", "5 /c 204 0"],
            streams.Select(s => $"{s.StreamId} {s.Path} {s.Status} {s.ResponseBodyBytes}"));
        Assert.All(streams, s => Assert.Equal(Http2StreamFlags.None, s.Flags));
        Assert.Equal("a1a2"u8.ToArray(), streams[0].ResponseBodyPreview);
    }

    [Fact]
    public void TrailersAreTheFieldBlockAfterTheHeadersInEachDirection()
    {
        var stream = Single(
            [ClientStart, Headers(1, new HpackBlock().Indexed(3).Indexed(7).WithoutIndexing(4, "/upload").WithoutIndexing(1, "h")),
             Data(1, "part1"), Data(1, "part2"), Headers(1, new HpackBlock().WithoutIndexing("x-checksum", "abc"), endStream: true)],
            [ServerStart, Headers(1, Status(201)), Data(1, "ok"), Headers(1, new HpackBlock().WithoutIndexing("x-took", "5ms"), endStream: true)]);

        Assert.Equal("POST", stream.Method);
        Assert.Equal(10, stream.RequestBodyBytes);
        Assert.Equal("[x-checksum: abc]", Fields(stream.RequestTrailers));
        Assert.Equal("[x-took: 5ms]", Fields(stream.ResponseTrailers));
        Assert.Equal(201, stream.Status);
        Assert.Equal(Http2StreamFlags.None, stream.Flags);
    }

    [Fact]
    public void InterimResponsesPrecedeTheFinalOne()
    {
        var stream = Single(
            [ClientStart, Headers(1, Get(), endStream: true)],
            [ServerStart, Headers(1, Status(103)), Headers(1, Status(200)), Data(1, "x", endStream: true)]);

        Assert.Equal(200, stream.Status);
        Assert.Equal(18, stream.ResponseStartOffset);
        Assert.Equal("[:status: 200]", Fields(stream.ResponseHeaders));
        Assert.Empty(stream.ResponseTrailers);
    }

    [Fact]
    public void ResetStreamIsFlaggedResetAndIncomplete()
    {
        var streams = Assemble(
            [ClientStart, Headers(1, Get("/slow"), endStream: true), RstStream(1, 8)],
            [ServerStart, Headers(1, Status(200)), Data(1, "partial")]);

        var stream = Assert.Single(streams);
        Assert.Equal(Http2StreamFlags.Reset | Http2StreamFlags.Incomplete, stream.Flags);
        Assert.Equal(8u, stream.ResetErrorCode);
        Assert.Equal(7, stream.ResponseBodyBytes);
    }

    [Fact]
    public void StreamsAboveTheLastStreamIdOfAGoAwayAreFlagged()
    {
        var streams = Assemble(
            [ClientStart, Headers(1, Get("/a"), endStream: true), Headers(3, Get("/b"), endStream: true)],
            [ServerStart, GoAway(1, 0), Headers(1, Status(200), endStream: true)]);

        Assert.Equal(["1 None", "3 GoAway, Incomplete"], streams.Select(s => $"{s.StreamId} {s.Flags}"));
    }

    [Fact]
    public void GoAwayWithAnErrorFlagsStreamsItCutShort()
    {
        var streams = Assemble(
            [ClientStart, Headers(1, Get("/a"), endStream: true), Headers(3, Get("/b"), endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true), Headers(3, Status(200)), GoAway(3, 2, "internal error")]);

        Assert.Equal(["1 None", "3 GoAway, Incomplete"], streams.Select(s => $"{s.StreamId} {s.Flags}"));
    }

    [Fact]
    public void PushedStreamTakesItsRequestFromThePushPromise()
    {
        var streams = Assemble(
            [ClientStart, Headers(1, Get(), endStream: true)],
            [ServerStart, PushPromise(1, 2, Get("/style.css")), Headers(1, Status(200), endStream: true),
             Headers(2, Status(200)), Data(2, "body{}", endStream: true)]);

        Assert.Equal(2, streams.Count);
        var pushed = streams[1];
        Assert.True(pushed.IsPush);
        Assert.Equal(1, pushed.AssociatedStreamId);
        Assert.Equal(("GET", "/style.css", 200), (pushed.Method, pushed.Path, pushed.Status));
        Assert.Equal(18, pushed.RequestStartOffset); // server-to-client offsets
        Assert.Equal(Http2StreamFlags.None, pushed.Flags);
        Assert.False(streams[0].IsPush);
    }

    [Fact]
    public void ResponseWithoutACapturedRequestIsIncompleteAndContextLost()
    {
        // The capture joined mid-connection: the request went before it, the response refers to a table entry.
        var streams = Assemble(
            [Data(1, "rest of a request body", endStream: true), Headers(3, Get("/next"), endStream: true)],
            ["tail of a frame"u8.ToArray(), Headers(1, new HpackBlock().Indexed(8).Indexed(62)), Data(1, "x", endStream: true),
             Headers(3, Status(200), endStream: true)]);

        Assert.Equal(2, streams.Count);
        Assert.Equal((null, 200), (streams[0].Method, streams[0].Status));
        Assert.Equal(Http2StreamFlags.Incomplete | Http2StreamFlags.ContextLost, streams[0].Flags);
        Assert.Equal(22, streams[0].RequestBodyBytes);
        Assert.Equal(Http2StreamFlags.None, streams[1].Flags);
    }

    [Fact]
    public void LostBytesFlagTheStreamsTheyHit()
    {
        var streams = Assemble(
            [ClientStart, Headers(1, Get("/a"), endStream: true), Headers(3, Get("/b"), endStream: true)],
            [ServerStart, Headers(1, Status(200)), Headers(3, Status(200)), Data(1, "0123456789")[..12], 4, Data(1, "0123456789")[16..],
             Data(3, "abc", endStream: true), Data(1, "", endStream: true)]);

        Assert.Equal(["1 Gap", "3 None"], streams.Select(s => $"{s.StreamId} {s.Flags}"));
        Assert.Equal(10, streams[0].ResponseBodyBytes);
    }

    [Fact]
    public void FramingLostWhileAStreamIsOpenFlagsItGap()
    {
        var streams = Assemble(
            // The client opens stream 5 (its request unfinished): a response on a stream it never opened would be malformed.
            [ClientStart, Headers(1, Get("/a"), endStream: true), Headers(3, Get("/b"), endStream: true), Headers(5, Get("/c"))],
            [ServerStart, Headers(1, Status(200), endStream: true), Headers(3, Status(200)), Data(3, "0123456789")[..12], 30,
             Headers(5, Status(200)), Data(5, "x", endStream: true)]);

        Assert.Equal(["1 None", "3 Incomplete, Gap", "5 Incomplete"], streams.Select(s => $"{s.StreamId} {s.Flags}"));
    }

    [Fact]
    public void A_last_DATA_frame_the_recording_ended_inside_does_not_end_its_stream()
    {
        // The recording stopped between the two writes that carried the frame: its END_STREAM never arrived.
        var stream = Single(
            [ClientStart, Headers(1, Get("/download"), endStream: true)],
            [ServerStart, Headers(1, Status(200)), Data(1, new string('x', 1000), endStream: true)[..109]]);

        Assert.Equal((false, 100L), (stream.ResponseComplete, stream.ResponseBodyBytes));
        Assert.Equal(Http2StreamFlags.Incomplete, stream.Flags);
    }

    [Fact]
    public void UndecodableFieldBlockFlagsTheStreamMalformed()
    {
        var streams = Assemble(
            [ClientStart, Headers(1, new HpackBlock().Indexed(2).Indexed(99), endStream: true)],
            [ServerStart, Headers(1, Status(400), endStream: true)]);

        Assert.Equal(Http2StreamFlags.Malformed, Assert.Single(streams).Flags);
    }
}
