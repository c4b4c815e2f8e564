using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// RFC 9113 §8.1.1: a request or response whose content-length differs from the sum of its DATA payloads is malformed;
/// the receiver treats it as a stream error, so the exchange failed, whatever its status said. A response that has no
/// content (to a HEAD, or a 304) may declare the length of the one it would have had.
/// </summary>
public sealed class ContentLengthTests
{
    private static HpackBlock Ok(long contentLength) => Status(200).WithoutIndexing("content-length", contentLength.ToString());

    /// <summary>The flags of a GET's stream whose response is <paramref name="response"/>.</summary>
    private static Http2StreamFlags FlagsOfResponse(params object[] response) =>
        Single([ClientStart, Headers(1, Get("/file"), endStream: true)], [ServerStart, .. response]).Flags;

    [Fact]
    public void A_response_that_ends_with_fewer_DATA_octets_than_its_content_length_is_malformed()
    {
        Assert.Equal(Http2StreamFlags.Malformed, FlagsOfResponse(Headers(1, Ok(100)), Data(1, "short", endStream: true)));
    }

    [Fact]
    public void A_response_with_more_DATA_octets_than_its_content_length_is_malformed_even_before_it_ends()
    {
        Assert.Equal(Http2StreamFlags.Malformed | Http2StreamFlags.Incomplete, FlagsOfResponse(Headers(1, Ok(2)), Data(1, "longer than two")));
    }

    [Fact]
    public void A_request_whose_body_differs_from_its_content_length_is_malformed()
    {
        var stream = Single(
            [ClientStart, Headers(1, Get("/upload").WithoutIndexing("content-length", "10")), Data(1, "abc", endStream: true)],
            [ServerStart, Headers(1, Status(204), endStream: true)]);

        Assert.Equal(Http2StreamFlags.Malformed, stream.Flags);
    }

    [Fact]
    public void A_body_of_exactly_its_content_length_split_over_DATA_frames_is_well_formed()
    {
        Assert.Equal(Http2StreamFlags.None, FlagsOfResponse(Headers(1, Ok(10)), Data(1, "hello"), Data(1, "world", pad: 3), Data(1, "", endStream: true)));
    }

    [Fact]
    public void A_response_that_is_still_arriving_is_not_judged_short()
    {
        Assert.Equal(Http2StreamFlags.Incomplete, FlagsOfResponse(Headers(1, Ok(100)), Data(1, "first part")));
    }

    [Fact]
    public void Responses_without_content_may_declare_a_length_they_do_not_carry()
    {
        var streams = Assemble(
            [ClientStart,
             Headers(1, new HpackBlock().WithoutIndexing(":method", "HEAD").Indexed(7).WithoutIndexing(4, "/file").WithoutIndexing(1, "example.com"), endStream: true),
             Headers(3, Get("/cached"), endStream: true)],
            [ServerStart,
             Headers(1, Ok(100), endStream: true),
             Headers(3, Status(304).WithoutIndexing("content-length", "100"), endStream: true)]);

        Assert.Equal([Http2StreamFlags.None, Http2StreamFlags.None], streams.Select(s => s.Flags));
    }

    [Fact]
    public void A_body_that_lost_octets_to_the_capture_is_not_judged_against_its_content_length()
    {
        // DATA frames lost whole leave the octets counted short: the capture's doing, not the sender's.
        var stream = Single(
            [ClientStart, Headers(1, Get("/file"), endStream: true)],
            [ServerStart, Headers(1, Ok(10)), new Step.Lost(Data(1, "hello").Length), Data(1, "world", endStream: true)]);

        Assert.True(stream.Flags.HasFlag(Http2StreamFlags.Gap));
        Assert.False(stream.Flags.HasFlag(Http2StreamFlags.Malformed));
    }
}
