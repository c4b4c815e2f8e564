using Capture.Hpack;
using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// A side that has sent END_STREAM sends nothing more on the stream but RST_STREAM, PRIORITY and WINDOW_UPDATE
/// (RFC 9113 §5.1, half-closed), and a stream id is never used again (§5.1.1). A field block or DATA that comes later
/// is not folded into the message (as trailers, as body octets): the stream is flagged malformed and the message
/// is the one that ended. After the first field block only trailers may follow, and they end the stream (§8.1).
/// </summary>
public sealed class StreamAfterEndTests
{
    [Fact]
    public void DATA_after_the_response_ended_is_not_counted_in_its_body_and_flags_the_stream_malformed()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(200)), Data(1, "abc", endStream: true), Data(1, "MORE")]);

        Assert.Equal((200, 3L, "abc"), (stream.Status, stream.ResponseBodyBytes, System.Text.Encoding.Latin1.GetString(stream.ResponseBodyPreview)));
        Assert.Equal(Http2StreamFlags.Malformed, stream.Flags);
    }

    [Fact]
    public void A_stream_id_used_again_does_not_merge_the_second_exchange_into_the_first()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true), Headers(1, Get("/b"), endStream: true)],
            [ServerStart, Headers(1, Status(200)), Data(1, "abc", endStream: true), Headers(1, Status(500)), Data(1, "err", endStream: true)]);

        Assert.Equal(("/a", 200, 3L), (stream.Path, stream.Status, stream.ResponseBodyBytes));
        Assert.Empty(stream.RequestTrailers);
        Assert.Empty(stream.ResponseTrailers);
        Assert.Equal(Http2StreamFlags.Malformed, stream.Flags);
    }

    [Fact]
    public void A_second_field_block_without_END_STREAM_is_not_trailers_and_flags_the_stream_malformed()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(200)), Headers(1, Status(500)), Data(1, "x", endStream: true)]);

        Assert.Equal(200, stream.Status);
        Assert.Equal(Http2StreamFlags.Malformed, stream.Flags);
    }

    [Fact]
    public void An_interim_response_with_END_STREAM_flags_the_stream_malformed()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)], [ServerStart, Headers(1, Status(103), endStream: true)]);

        Assert.Equal(Http2StreamFlags.Malformed, stream.Flags & Http2StreamFlags.Malformed);
    }

    [Fact]
    public void A_second_PUSH_PROMISE_of_the_same_stream_does_not_add_to_its_request()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, PushPromise(1, 2, Get("/p")), PushPromise(1, 2, Get("/q")), Headers(1, Status(200), endStream: true),
             Headers(2, Status(200), endStream: true)]);

        Assert.Equal(["1 /a None", "2 /p Malformed"], streams.Select(s => $"{s.StreamId} {s.Path} {s.Flags}"));
        Assert.Empty(streams[1].RequestTrailers);
    }

    [Fact]
    public void Trailers_that_end_the_stream_are_well_formed()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(200)), Data(1, "x"), Headers(1, new HpackBlock().WithoutIndexing("x-checksum", "1"), endStream: true)]);

        Assert.Equal(("[x-checksum: 1]", Http2StreamFlags.None), (Fields(stream.ResponseTrailers), stream.Flags));
    }
}
