using Capture.Analyzer.Http2;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// RFC 9113 §6.8: a GOAWAY's Last-Stream-ID is the highest stream id its sender may have processed among those its
/// peer initiated: a server's names the client's (odd) request streams, a client's the server's (even) push streams.
/// A stream is flagged goaway only by its initiator's peer's GOAWAY, when its id is above that Last-Stream-ID.
/// </summary>
public sealed class GoAwayTests
{
    private static string Summary(IEnumerable<Http2Stream> streams) => string.Join(", ", streams.Select(s => $"{s.StreamId} {s.Flags}"));

    [Theory]
    [InlineData(3, true, 5, true)]
    [InlineData(3, true, 3, false)]
    [InlineData(3, true, 4, false)]
    [InlineData(0, false, 2, true)]
    [InlineData(0, false, 1, false)]
    [InlineData(null, true, 5, false)]
    public void A_GOAWAY_refuses_only_the_streams_its_peer_opened_above_its_last_stream_id(int? last, bool sentByServer, int streamId, bool refused) =>
        Assert.Equal(refused, Http2GoAwayEvent.Refuses(last, sentByServer, streamId));

    [Fact]
    public void A_client_GOAWAY_with_last_stream_0_does_not_flag_the_clients_own_requests()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/a"), endStream: true), Headers(3, Get("/b"), endStream: true), GoAway(0, 0)],
            [ServerStart, Headers(1, Status(200), endStream: true), Headers(3, Status(200), endStream: true)]);

        Assert.Equal("1 None, 3 None", Summary(streams));
    }

    [Fact]
    public void A_client_GOAWAY_below_a_push_stream_flags_that_push()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/"), endStream: true), GoAway(0, 0)],
            [ServerStart, PushPromise(1, 2, Get("/a.css")), Headers(1, Status(200), endStream: true), Headers(2, Status(200), endStream: true)]);

        Assert.Equal("1 None, 2 GoAway", Summary(streams));
    }

    [Fact]
    public void A_client_GOAWAY_naming_the_push_flags_neither_stream()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/"), endStream: true), GoAway(2, 0)],
            [ServerStart, PushPromise(1, 2, Get("/a.css")), Headers(1, Status(200), endStream: true), Headers(2, Status(200), endStream: true)]);

        Assert.Equal("1 None, 2 None", Summary(streams));
    }

    [Fact]
    public void A_server_GOAWAY_with_last_stream_0_does_not_flag_its_own_push_and_flags_the_request_above_it()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/"), endStream: true)],
            [ServerStart, PushPromise(1, 2, Get("/a.css")), Headers(1, Status(200), endStream: true), Headers(2, Status(200), endStream: true),
             GoAway(0, 0)]);

        Assert.Equal("1 GoAway, 2 None", Summary(streams));
    }
}
