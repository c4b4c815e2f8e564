using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// RFC 9113 §8.1: a message is a header section (pseudo-header fields first), DATA, and perhaps a trailer section, which
/// has no pseudo-header field and ends the stream. When the first field block the capture saw on a half ends the stream
/// and has no pseudo-header field, and frames of its direction were lost before it (a hole, a capture that joined the
/// connection), it is the trailer section of a message whose head was lost: shown as trailers, the half `incomplete`
/// (its head unseen), and no rule broken. With nothing lost it is a header section without its pseudo-header fields,
/// and malformed.
/// </summary>
public sealed class TrailersWithoutHeadTests
{
    private static readonly HpackBlock GrpcOk = new HpackBlock().WithoutIndexing("grpc-status", "0");
    private static readonly HpackBlock Checksum = new HpackBlock().WithoutIndexing("x-checksum", "abc");

    private static Http2Stream Stream(List<Http2Stream> streams, int id) => streams.Single(s => s.StreamId == id);

    [Fact]
    public void Response_trailers_first_seen_in_a_capture_that_joined_the_connection_are_trailers_of_an_incomplete_response()
    {
        var streams = Assemble([Headers(5, Get("/c"), endStream: true)],
            [Headers(5, Status(200), endStream: true), Headers(3, GrpcOk, endStream: true)]);

        var stream = Stream(streams, 3);
        Assert.Equal((null, 0, "[grpc-status: 0]"), (stream.Status, stream.ResponseHeaders.Count, Fields(stream.ResponseTrailers)));
        Assert.Equal(Http2StreamFlags.Incomplete, stream.Flags);
    }

    [Fact]
    public void Response_trailers_first_seen_after_a_hole_are_trailers_and_the_stream_has_a_gap()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true), Headers(3, Get("/b"), endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true), 40, Headers(3, GrpcOk, endStream: true)]);

        var stream = Stream(streams, 3);
        Assert.Equal(("[grpc-status: 0]", 0), (Fields(stream.ResponseTrailers), stream.ResponseHeaders.Count));
        Assert.Equal(Http2StreamFlags.Incomplete | Http2StreamFlags.Gap, stream.Flags);
        Assert.Equal(Http2StreamFlags.None, Stream(streams, 1).Flags);
    }

    [Fact]
    public void Request_trailers_first_seen_after_a_hole_are_the_trailers_of_a_request_whose_head_was_lost()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true), 60, Data(3, "end of an upload"), Headers(3, Checksum, endStream: true)],
            [ServerStart, Headers(1, Status(200), endStream: true), Headers(3, Status(201), endStream: true)]);

        var stream = Stream(streams, 3);
        Assert.Equal((0, "[x-checksum: abc]", 201), (stream.RequestHeaders.Count, Fields(stream.RequestTrailers), stream.Status));
        Assert.Equal(Http2StreamFlags.Incomplete | Http2StreamFlags.Gap, stream.Flags);
    }

    [Fact]
    public void On_a_stream_seen_whole_a_first_response_block_without_a_status_is_a_malformed_header_section()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)], [ServerStart, Headers(1, GrpcOk, endStream: true)]);

        Assert.Equal(("[grpc-status: 0]", 0), (Fields(stream.ResponseHeaders), stream.ResponseTrailers.Count));
        Assert.Equal(Http2StreamFlags.Malformed, stream.Flags);
    }

    [Fact]
    public void On_a_stream_seen_whole_a_first_request_block_without_pseudo_header_fields_is_a_malformed_header_section()
    {
        var stream = Single([ClientStart, Headers(1, Checksum, endStream: true)], [ServerStart, Headers(1, Status(400), endStream: true)]);

        Assert.Equal(("[x-checksum: abc]", 0), (Fields(stream.RequestHeaders), stream.RequestTrailers.Count));
        Assert.Equal(Http2StreamFlags.Malformed, stream.Flags);
    }

    [Fact]
    public void A_block_after_an_interim_response_is_the_final_header_section_and_without_a_status_it_is_malformed()
    {
        var streams = Assemble([Headers(5, Get("/c"), endStream: true)],
            [Headers(5, Status(103)), Headers(5, GrpcOk, endStream: true)]);

        Assert.Equal(Http2StreamFlags.Malformed, Stream(streams, 5).Flags & Http2StreamFlags.Malformed);
    }
}
