using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// RFC 9113 §5.1.1: a new stream's id is greater than that of every stream its initiator has already opened (the
/// client's odd ids) or reserved (the server's even ids, promised in PUSH_PROMISE); a HEADERS that opens a lower id is
/// a connection error. The stream that went backwards is flagged malformed, the ones before it stay clean. A lower id
/// seen before is no violation (trailers). Where frames of the direction were not captured (a capture that joined
/// the connection, a hole), the lower stream may have opened among them, so nothing is flagged.
/// </summary>
public sealed class StreamIdOrderTests
{
    private static string Summary(IEnumerable<Http2Stream> streams) => string.Join(", ", streams.Select(s => $"{s.StreamId} {s.Path} {s.Flags}"));

    [Fact]
    public void A_request_on_a_lower_stream_id_than_one_the_client_opened_flags_that_stream_malformed()
    {
        var streams = Assemble([ClientStart, Headers(5, Get("/first"), endStream: true), Headers(3, Get("/second"), endStream: true)],
            [ServerStart, Headers(5, Status(200), endStream: true), Headers(3, Status(200), endStream: true)]);

        Assert.Equal("3 /second Malformed, 5 /first None", Summary(streams));
    }

    [Fact]
    public void Increasing_stream_ids_with_gaps_between_them_are_well_formed()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true), Headers(7, Get("/b"), endStream: true)],
            [ServerStart, Headers(7, Status(200), endStream: true), Headers(1, Status(200), endStream: true)]);

        Assert.Equal("1 /a None, 7 /b None", Summary(streams));
    }

    [Fact]
    public void Trailers_on_a_lower_stream_after_a_higher_one_opened_are_well_formed()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/upload")), Headers(3, Get("/b"), endStream: true),
                Data(1, "body"), Headers(1, new HpackBlock().WithoutIndexing("x-checksum", "1"), endStream: true)],
            [ServerStart, Headers(3, Status(200), endStream: true), Headers(1, Status(200), endStream: true)]);

        Assert.Equal("1 /upload None, 3 /b None", Summary(streams));
    }

    [Fact]
    public void A_lower_stream_after_frames_were_lost_is_not_flagged_since_it_may_have_opened_among_them()
    {
        // The request on stream 3 began in the lost part; its trailers follow stream 5's request.
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true), 40, Headers(5, Get("/c"), endStream: true),
                Headers(3, new HpackBlock().WithoutIndexing("x-checksum", "1"), endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true), Headers(3, Status(200), endStream: true), Headers(5, Status(200), endStream: true)]);

        Assert.DoesNotContain(streams, s => (s.Flags & Http2StreamFlags.Malformed) != 0);
    }

    [Fact]
    public void A_stream_below_one_opened_before_the_frames_were_lost_is_still_flagged()
    {
        var streams = Assemble([ClientStart, Headers(5, Get("/a"), endStream: true), 40, Headers(9, Get("/c"), endStream: true),
                Headers(3, Get("/b"), endStream: true)],
            [ServerStart, Headers(5, Status(200), endStream: true), Headers(3, Status(200), endStream: true), Headers(9, Status(200), endStream: true)]);

        Assert.Equal(Http2StreamFlags.Malformed, streams.Single(s => s.StreamId == 3).Flags & Http2StreamFlags.Malformed);
        Assert.Equal(Http2StreamFlags.None, streams.Single(s => s.StreamId == 5).Flags & Http2StreamFlags.Malformed);
    }

    [Fact]
    public void A_capture_that_joined_mid_connection_flags_no_lower_stream()
    {
        // Stream 3 opened before the capture began: these are its trailers.
        var streams = Assemble([Headers(5, Get("/c"), endStream: true), Headers(3, new HpackBlock().WithoutIndexing("x-checksum", "1"), endStream: true)],
            [Headers(5, Status(200), endStream: true), Headers(3, Status(200), endStream: true)]);

        Assert.DoesNotContain(streams, s => (s.Flags & Http2StreamFlags.Malformed) != 0);
    }

    [Fact]
    public void A_push_promised_on_a_lower_even_id_than_one_already_promised_flags_that_push_malformed()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/"), endStream: true)],
            [ServerStart, PushPromise(1, 4, Get("/a.css")), PushPromise(1, 2, Get("/b.css")), Headers(1, Status(200), endStream: true),
             Headers(4, Status(200), endStream: true), Headers(2, Status(200), endStream: true)]);

        Assert.Equal("1 / None, 2 /b.css Malformed, 4 /a.css None", Summary(streams));
    }

    [Fact]
    public void Push_ids_and_request_ids_are_ordered_apart()
    {
        // Stream 3 opens after push 4 was promised: each initiator's ids only need to grow among its own.
        var streams = Assemble([ClientStart, Headers(1, Get("/"), endStream: true), Headers(3, Get("/next"), endStream: true)],
            [ServerStart, PushPromise(1, 4, Get("/a.css")), Headers(1, Status(200), endStream: true), Headers(4, Status(200), endStream: true),
             Headers(3, Status(200), endStream: true)]);

        Assert.Equal("1 / None, 3 /next None, 4 /a.css None", Summary(streams));
    }
}
