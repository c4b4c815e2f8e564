using Capture.Analyzer.Http2;
using Capture.Tests.Support;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// RFC 9113 §5.1: the client opens its (odd) streams with HEADERS; until then a stream is idle, and the server may not
/// send HEADERS, DATA or RST_STREAM on it. Where the client's direction was captured whole, its HEADERS cannot have been
/// lost: the server's frames on a stream the client never opened are malformed, and not `no_request` as if the capture
/// had lost the request; a RST_STREAM alone is such an exchange too, so that the error shows. Where the client's frames
/// were lost (a hole, a capture that joined the connection), its HEADERS may have been among them, and the stream is only
/// missing its request.
/// </summary>
public sealed class ServerFramesOnIdleStreamTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Http2Stream Stream(List<Http2Stream> streams, int id) => streams.Single(s => s.StreamId == id);

    [Fact]
    public void A_response_on_a_stream_the_client_never_opened_is_malformed_and_not_a_lost_request()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true), Headers(3, Status(200), endStream: true)]);

        Assert.True(Stream(streams, 3).NeverOpened);
        Assert.Equal(Http2StreamFlags.Incomplete | Http2StreamFlags.Malformed, Stream(streams, 3).Flags);
        Assert.Equal(Http2StreamFlags.None, Stream(streams, 1).Flags);
    }

    [Fact]
    public void DATA_from_the_server_on_a_stream_the_client_never_opened_is_malformed_and_not_a_lost_request()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true), Data(3, "x", endStream: true)]);

        Assert.True(Stream(streams, 3).NeverOpened);
        Assert.Equal(Http2StreamFlags.Incomplete | Http2StreamFlags.Malformed, Stream(streams, 3).Flags);
    }

    [Fact]
    public void A_RST_STREAM_from_the_server_on_a_stream_the_client_never_opened_is_a_malformed_exchange_of_its_own()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true), RstStream(3, 1)]);

        Assert.True(Stream(streams, 3).NeverOpened);
        Assert.Equal(Http2StreamFlags.Reset | Http2StreamFlags.Incomplete | Http2StreamFlags.Malformed, Stream(streams, 3).Flags);
        Assert.Equal(Http2StreamFlags.None, Stream(streams, 1).Flags);
    }

    [Fact]
    public void DATA_from_the_server_after_a_hole_in_the_clients_direction_may_answer_a_HEADERS_lost_in_it_and_is_not_malformed()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true), 40],
            [ServerStart, Headers(1, Status(200), endStream: true), Data(3, "x", endStream: true)]);

        Assert.False(Stream(streams, 3).NeverOpened);
        Assert.Equal(Http2StreamFlags.None, Stream(streams, 3).Flags & Http2StreamFlags.Malformed);
    }

    [Fact]
    public void A_RST_STREAM_from_the_server_on_a_stream_the_client_opened_and_closed_is_no_exchange_of_its_own()
    {
        // RFC 9113 §5.1: a RST_STREAM may follow a stream's close; it says nothing of a stream never opened.
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true), RstStream(1, 0)]);

        Assert.Equal([1], streams.Select(s => s.StreamId));
        Assert.False(Stream(streams, 1).NeverOpened);
    }

    [Fact]
    public void A_response_after_a_hole_in_the_clients_direction_may_answer_a_HEADERS_lost_in_it_and_is_not_malformed()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true), 40],
            [ServerStart, Headers(1, Status(200), endStream: true), Headers(3, Status(200), endStream: true)]);

        Assert.False(Stream(streams, 3).NeverOpened);
        Assert.Equal(Http2StreamFlags.None, Stream(streams, 3).Flags & Http2StreamFlags.Malformed);
    }

    [Fact]
    public void A_response_in_a_capture_that_joined_the_connection_is_not_malformed()
    {
        var streams = Assemble([Headers(5, Get("/c"), endStream: true)],
            [Headers(5, Status(200), endStream: true), Headers(3, Status(200), endStream: true)]);

        Assert.False(Stream(streams, 3).NeverOpened);
        Assert.Equal(Http2StreamFlags.None, Stream(streams, 3).Flags & Http2StreamFlags.Malformed);
    }

    [Fact]
    public void A_response_to_a_request_the_client_sent_after_it_is_not_on_a_stream_never_opened()
    {
        // The client's HEADERS came in the capture all the same: the stream was opened, the order is for the timeline to judge.
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true), Headers(3, Get("/b"), endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true), Headers(3, Status(200), endStream: true)]);

        Assert.False(Stream(streams, 3).NeverOpened);
        Assert.Equal(Http2StreamFlags.None, Stream(streams, 3).Flags);
    }

    [Fact]
    public void The_exchange_is_flagged_malformed_not_no_request_and_show_says_the_client_never_opened_the_stream()
    {
        var rec = new SyntheticRecording(_dir.File("idle-headers.db"));
        rec.Connection("curl", 30, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Concat(ClientStart, Headers(1, Get("/a"), endStream: true)))
            .ServerSends(2, Concat(ServerStart, Headers(1, Status(200), endStream: true), Headers(3, Status(200), endStream: true)));
        string db = rec.Save();

        var flags = Analyze.ListJson(db).Select(e => string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString())));
        Assert.Equal(["", "incomplete,malformed"], flags);
        string shown = Analyze.Output(db, "show", "2");
        Assert.Contains("  (no request) http://", shown);
        Assert.Contains("  note        HEADERS from the server on stream 3, which the client never opened (RFC 9113 §5.1: a connection error)", shown);
    }

    [Theory]
    [InlineData("DATA", "incomplete,malformed")]
    [InlineData("RST_STREAM", "incomplete,malformed,reset")]
    public void The_servers_DATA_or_RST_STREAM_on_a_stream_never_opened_is_flagged_malformed_not_no_request_and_show_names_the_frame(
        string frame, string expectedFlags)
    {
        var rec = new SyntheticRecording(_dir.File($"idle-{frame}.db"));
        rec.Connection("curl", 30, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Concat(ClientStart, Headers(1, Get("/a"), endStream: true)))
            .ServerSends(2, Concat(ServerStart, Headers(1, Status(200), endStream: true)))
            .ServerSends(3, frame == "DATA" ? Data(3, "x", endStream: true) : RstStream(3, 1));
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db);
        Assert.Equal(["", expectedFlags], exchanges.Select(e => string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))));
        Assert.Equal("2026-01-02T03:04:05.003000Z", exchanges[1].GetProperty("ts").GetString()); // when the frame came
        Assert.Contains($"  note        {frame} from the server on stream 3, which the client never opened (RFC 9113 §5.1: a connection error)",
            Analyze.Output(db, "show", "2"));
    }
}
