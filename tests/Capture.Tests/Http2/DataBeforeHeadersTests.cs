using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// RFC 9113 §8.1: a message begins with its header section; DATA before it makes the message malformed, and the
/// receiver treats it as a stream error, whatever status follows. Where frames of the direction were lost before the
/// DATA (a hole, or a capture that joined the connection), the header section may have been among them.
/// </summary>
public sealed class DataBeforeHeadersTests
{
    /// <summary>Trailers that name a table entry the sender indexed before what the capture saw: their kind cannot be judged.</summary>
    private static readonly HpackBlock Trailers = new HpackBlock().Indexed(62);

    [Fact]
    public void A_response_that_sends_DATA_before_its_HEADERS_is_malformed()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Data(1, "body"), Headers(1, Status(200), endStream: true)]);

        Assert.Equal((200, Http2StreamFlags.Malformed), (stream.Status, stream.Flags));
    }

    [Fact]
    public void DATA_after_an_interim_response_but_before_the_final_one_is_malformed()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(103)), Data(1, "early"), Headers(1, Status(200), endStream: true)]);

        Assert.Equal(Http2StreamFlags.Malformed, stream.Flags);
    }

    [Fact]
    public void DATA_first_in_a_capture_that_joined_the_connection_is_the_body_of_a_message_begun_before()
    {
        var stream = Single([Headers(1, Get("/a"), endStream: true)],
            ["tail of a frame"u8.ToArray(), Data(1, "rest of the body"), Headers(1, Trailers, endStream: true)]);

        Assert.False(stream.Flags.HasFlag(Http2StreamFlags.Malformed));
    }

    [Fact]
    public void DATA_first_after_a_hole_may_follow_HEADERS_lost_in_it()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, new Step.Lost(Headers(1, Status(200)).Length), Data(1, "body"), Headers(1, Trailers, endStream: true)]);

        Assert.False(stream.Flags.HasFlag(Http2StreamFlags.Malformed));
    }
}
