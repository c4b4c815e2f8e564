using Capture.Analyzer.Http2;
using Capture.Tests.Support;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// RFC 9113 §6.10: a field block's HEADERS (or PUSH_PROMISE) and CONTINUATION frames follow one another with no other
/// frame between them; another frame before the block's end is a connection error. The HEADERS was sent all the same
/// and opened its stream (§5.1): the message is there, its fields unknown (the part sent is not decoded), flagged
/// `malformed` with a note naming the frame that cut in, and a server's answer on that stream is not `no_request`.
/// </summary>
public sealed class InterruptedFieldBlockTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Http2Stream Stream(List<Http2Stream> streams, int id) => streams.Single(s => s.StreamId == id);

    [Fact]
    public void A_request_block_another_frame_interrupts_is_a_request_seen_without_its_fields_and_malformed()
    {
        var streams = Assemble([ClientStart, Headers(3, Get("/a"), endStream: true, endHeaders: false), Data(5, "x")],
            [ServerStart, Headers(3, Status(400), endStream: true)]);

        var stream = Stream(streams, 3);
        Assert.Equal((true, 0, true, 400), (stream.RequestSeen, stream.RequestHeaders.Count, stream.RequestFieldsInterrupted, stream.Status));
        Assert.Equal(Http2StreamFlags.Malformed, stream.Flags & Http2StreamFlags.Malformed);
        Assert.Equal("request: field block interrupted by a DATA frame on stream 5 before its end (RFC 9113 §6.10: a connection error): " +
                     "its fields were not decoded", stream.Violation);
    }

    [Fact]
    public void A_response_block_another_frame_interrupts_is_a_response_without_a_status_and_malformed()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(200), endHeaders: false), Ping(7)]);

        Assert.Equal((null, true, 33L), (stream.Status, stream.ResponseFieldsInterrupted, stream.RequestStartOffset));
        Assert.Equal(Http2StreamFlags.Malformed | Http2StreamFlags.Incomplete, stream.Flags);
        Assert.Equal("response: field block interrupted by a PING frame on stream 0 before its end (RFC 9113 §6.10: a connection error): " +
                     "its fields were not decoded", stream.Violation);
    }

    [Fact]
    public void The_answered_exchange_is_malformed_not_no_request_and_show_says_the_field_block_was_interrupted()
    {
        var rec = new SyntheticRecording(_dir.File("interrupted.db"));
        rec.Connection("curl", 30, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Concat(ClientStart, Headers(1, Get("/a"), endStream: true, endHeaders: false)))
            .ClientSends(2, WindowUpdate(0, 1000))
            .ServerSends(3, Concat(ServerStart, Headers(1, Status(400), endStream: true), GoAway(0, 1)));
        string db = rec.Save();

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal(["incomplete", "malformed", "goaway"], exchange.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        string shown = Analyze.Output(db, "show", "1");
        Assert.Contains("  (request field block interrupted) http://", shown);
        Assert.Contains("  note        request: field block interrupted by a WINDOW_UPDATE frame on stream 0 before its end " +
                        "(RFC 9113 §6.10: a connection error): its fields were not decoded", shown);
    }
}
