using Capture.Analyzer.Http2;
using Capture.Tests.Support;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// RFC 9113 §5.1: a stream is opened by its initiator's field block (the client's HEADERS, the server's PUSH_PROMISE);
/// DATA on a stream still idle is a connection error. Where every frame the sender sent up to that DATA was captured,
/// no HEADERS can have been lost before it: the stream is flagged malformed, and not `no_request` as if the capture had
/// lost the request. Where frames of the sender were lost (a hole, a capture that joined the connection), the HEADERS
/// may have been among them, and the stream is only missing its request.
/// </summary>
public sealed class DataOnIdleStreamTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Http2Stream Stream(List<Http2Stream> streams, int id) => streams.Single(s => s.StreamId == id);

    [Fact]
    public void DATA_on_a_stream_the_client_never_opened_is_malformed_and_not_a_lost_request()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true), Data(3, "x", endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true), RstStream(3, 1)]);

        Assert.Equal(Http2StreamFlags.Reset | Http2StreamFlags.Incomplete | Http2StreamFlags.Malformed, Stream(streams, 3).Flags);
        Assert.True(Stream(streams, 3).NeverOpened);
        Assert.Equal(Http2StreamFlags.None, Stream(streams, 1).Flags);
    }

    [Fact]
    public void DATA_on_a_push_the_server_never_promised_is_malformed()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/"), endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true), Data(2, "x", endStream: true)]);

        Assert.True(Stream(streams, 2).NeverOpened);
        Assert.Equal(Http2StreamFlags.Malformed, Stream(streams, 2).Flags & Http2StreamFlags.Malformed);
    }

    [Fact]
    public void DATA_after_a_hole_in_its_senders_direction_may_follow_a_HEADERS_lost_in_it_and_is_not_malformed()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true), 40, Data(3, "x", endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true), Headers(3, Status(200), endStream: true)]);

        Assert.False(Stream(streams, 3).NeverOpened);
        Assert.Equal(Http2StreamFlags.Gap, Stream(streams, 3).Flags & (Http2StreamFlags.Gap | Http2StreamFlags.Malformed));
    }

    [Fact]
    public void DATA_in_a_capture_that_joined_the_connection_is_not_malformed()
    {
        var streams = Assemble([Headers(5, Get("/c"), endStream: true), Data(3, "rest of an upload", endStream: true)],
            [Headers(5, Status(200), endStream: true), Headers(3, Status(200), endStream: true)]);

        Assert.False(Stream(streams, 3).NeverOpened);
        Assert.Equal(Http2StreamFlags.None, Stream(streams, 3).Flags & Http2StreamFlags.Malformed);
    }

    [Fact]
    public void DATA_after_the_stream_opened_and_a_hole_in_the_other_direction_is_well_formed()
    {
        var streams = Assemble([ClientStart, Headers(3, Get("/upload")), Data(3, "x", endStream: true)],
            [ServerStart, 30, Headers(3, Status(200), endStream: true)]);

        Assert.Equal(Http2StreamFlags.None, Stream(streams, 3).Flags & Http2StreamFlags.Malformed);
    }

    [Fact]
    public void DATA_inside_an_interrupted_field_block_is_judged_as_anywhere_else()
    {
        // §6.10: a CONTINUATION on another stream interrupts the block on stream 3; it continues nothing and opens nothing (only a field block does).
        var streams = Assemble([ClientStart, Headers(3, Get("/a"), endHeaders: false), Continuation(5, new HpackBlock().Indexed(8)), Data(5, "x", endStream: true)],
            [ServerStart]);

        Assert.True(Stream(streams, 5).NeverOpened);
    }

    [Fact]
    public void DATA_that_interrupts_its_own_streams_field_block_is_on_a_stream_that_block_opened()
    {
        // The HEADERS was sent, and opened stream 3 (§5.1), though its block never ended.
        var streams = Assemble([ClientStart, Headers(3, Get("/a"), endHeaders: false), Data(3, "x", endStream: true)], [ServerStart]);

        Assert.False(Stream(streams, 3).NeverOpened);
    }

    [Fact]
    public void The_exchange_is_flagged_malformed_not_no_request_and_show_says_the_stream_was_never_opened()
    {
        var rec = new SyntheticRecording(_dir.File("idle-data.db"));
        rec.Connection("curl", 30, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Concat(ClientStart, Headers(1, Get("/a"), endStream: true)))
            .ServerSends(2, Concat(ServerStart, Headers(1, Status(200), endStream: true)))
            .ClientSends(3, Data(3, "x", endStream: true))
            .ServerSends(4, RstStream(3, 1));
        string db = rec.Save();

        var flags = Analyze.ListJson(db).Select(e => string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString())));
        Assert.Equal(["", "incomplete,malformed,reset"], flags);
        string shown = Analyze.Output(db, "show", "2");
        Assert.Contains("  (no request) http://", shown);
        Assert.Contains("  note        DATA on stream 3, which the client never opened (RFC 9113 §5.1: a connection error)", shown);
    }
}
