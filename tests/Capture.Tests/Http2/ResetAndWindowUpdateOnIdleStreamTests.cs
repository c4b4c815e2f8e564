using Capture.Analyzer.Http2;
using Capture.Tests.Support;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// RFC 9113 §5.1: a stream is idle until its initiator opens it (the client with HEADERS on an odd id, the server with
/// PUSH_PROMISE of an even one), and an idle stream takes no frame but HEADERS and PRIORITY: RST_STREAM or WINDOW_UPDATE
/// on it, from either side, is a connection error. As for DATA and the server's frames on a stream the client never
/// opened (<see cref="DataOnIdleStreamTests"/>, <see cref="ServerFramesOnIdleStreamTests"/>), the stream is an exchange of
/// its own flagged malformed, and not `no_request`, when the capture shows the stream idle: the initiator's own frame came
/// with every frame of the initiator's before it captured, the peer's with the initiator's whole direction captured. After
/// a hole, or in a capture that joined the connection, the opening frame may have been lost, and nothing is flagged.
/// </summary>
public sealed class ResetAndWindowUpdateOnIdleStreamTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Http2Stream Stream(List<Http2Stream> streams, int id) => streams.Single(s => s.StreamId == id);

    private static readonly object[] ClientAsksForA = [ClientStart, Headers(1, Get("/a"), endStream: true)];
    private static readonly object[] ServerAnswersA = [ServerStart, Headers(1, Status(200), endStream: true)];

    [Fact]
    public void A_WINDOW_UPDATE_from_the_server_on_a_stream_the_client_never_opened_is_a_malformed_exchange_of_its_own()
    {
        var streams = Assemble(ClientAsksForA, [.. ServerAnswersA, WindowUpdate(3, 100)]);

        Assert.True(Stream(streams, 3).NeverOpened);
        Assert.Equal(new Http2IdleStreamFrame("WINDOW_UPDATE", FromClient: false, 32), Stream(streams, 3).FrameOnIdleStream);
        Assert.Equal(Http2StreamFlags.Incomplete | Http2StreamFlags.Malformed, Stream(streams, 3).Flags);
        Assert.Equal(Http2StreamFlags.None, Stream(streams, 1).Flags);
    }

    [Theory]
    [InlineData("RST_STREAM")]
    [InlineData("WINDOW_UPDATE")]
    public void The_clients_RST_STREAM_or_WINDOW_UPDATE_on_a_stream_it_never_opened_is_a_malformed_exchange_of_its_own(string frame)
    {
        var streams = Assemble([.. ClientAsksForA, frame == "RST_STREAM" ? RstStream(3, 8) : WindowUpdate(3, 100)], ServerAnswersA);

        Assert.True(Stream(streams, 3).NeverOpened);
        Assert.Equal(new Http2IdleStreamFrame(frame, FromClient: true, 61), Stream(streams, 3).FrameOnIdleStream);
        Assert.Equal(Http2StreamFlags.Malformed, Stream(streams, 3).Flags & Http2StreamFlags.Malformed);
        Assert.Equal(Http2StreamFlags.None, Stream(streams, 1).Flags);
    }

    [Theory]
    [InlineData("RST_STREAM")]
    [InlineData("DATA")]
    public void The_servers_RST_STREAM_or_DATA_on_a_push_it_never_promised_is_a_malformed_exchange_of_its_own(string frame)
    {
        var streams = Assemble(ClientAsksForA, [.. ServerAnswersA, frame == "RST_STREAM" ? RstStream(2, 8) : Data(2, "x", endStream: true)]);

        Assert.True(Stream(streams, 2).NeverOpened);
        Assert.Equal(new Http2IdleStreamFrame(frame, FromClient: false, 32), Stream(streams, 2).FrameOnIdleStream);
        Assert.Equal(Http2StreamFlags.Malformed, Stream(streams, 2).Flags & Http2StreamFlags.Malformed);
    }

    [Theory]
    [InlineData("RST_STREAM")]
    [InlineData("WINDOW_UPDATE")]
    public void The_clients_RST_STREAM_or_WINDOW_UPDATE_on_a_push_the_server_never_promised_is_a_malformed_exchange_of_its_own(string frame)
    {
        var streams = Assemble([.. ClientAsksForA, frame == "RST_STREAM" ? RstStream(2, 8) : WindowUpdate(2, 100)], ServerAnswersA);

        Assert.True(Stream(streams, 2).NeverOpened);
        Assert.Equal(new Http2IdleStreamFrame(frame, FromClient: true, 61), Stream(streams, 2).FrameOnIdleStream);
        Assert.Equal(Http2StreamFlags.Malformed, Stream(streams, 2).Flags & Http2StreamFlags.Malformed);
    }

    [Fact]
    public void WINDOW_UPDATE_and_RST_STREAM_on_streams_that_were_opened_are_no_exchanges_of_their_own()
    {
        // The client grants the server's answer and its push more room, and refuses the push; the server grants the
        // request's body more room after answering (§5.1: WINDOW_UPDATE may follow a stream's close).
        var streams = Assemble(
            [ClientStart, Headers(1, Get("/a"), endStream: true), WindowUpdate(1, 100), WindowUpdate(2, 100), RstStream(2, 8)],
            [ServerStart, PushPromise(1, 2, Get("/style.css")), Headers(1, Status(200), endStream: true), WindowUpdate(1, 100)]);

        Assert.Equal([1, 2], streams.Select(s => s.StreamId));
        Assert.All(streams, s => Assert.False(s.NeverOpened));
        Assert.All(streams, s => Assert.Equal(Http2StreamFlags.None, s.Flags & Http2StreamFlags.Malformed));
    }

    [Fact]
    public void The_connections_WINDOW_UPDATE_is_on_no_stream()
    {
        var streams = Assemble([.. ClientAsksForA, WindowUpdate(0, 1 << 20)], [.. ServerAnswersA, WindowUpdate(0, 1 << 20)]);

        Assert.Equal([1], streams.Select(s => s.StreamId));
    }

    [Fact]
    public void The_clients_WINDOW_UPDATE_after_a_hole_in_its_direction_may_follow_a_HEADERS_lost_in_it_and_is_not_malformed()
    {
        var streams = Assemble([.. ClientAsksForA, 40, WindowUpdate(3, 100)], [.. ServerAnswersA, WindowUpdate(3, 100)]);

        Assert.DoesNotContain(streams, s => s.NeverOpened || (s.Flags & Http2StreamFlags.Malformed) != 0);
    }

    [Fact]
    public void The_servers_WINDOW_UPDATE_after_a_hole_in_the_clients_direction_may_follow_a_HEADERS_lost_in_it_and_is_not_malformed()
    {
        var streams = Assemble([.. ClientAsksForA, 40], [.. ServerAnswersA, WindowUpdate(3, 100)]);

        Assert.DoesNotContain(streams, s => s.NeverOpened || (s.Flags & Http2StreamFlags.Malformed) != 0);
    }

    [Fact]
    public void WINDOW_UPDATE_and_RST_STREAM_in_a_capture_that_joined_the_connection_are_not_malformed()
    {
        var streams = Assemble([Headers(5, Get("/c"), endStream: true), WindowUpdate(3, 100), RstStream(4, 8)],
            [Headers(5, Status(200), endStream: true), WindowUpdate(3, 100), RstStream(2, 8)]);

        Assert.DoesNotContain(streams, s => s.NeverOpened || (s.Flags & Http2StreamFlags.Malformed) != 0);
    }

    [Fact]
    public void After_an_h2c_upgrade_WINDOW_UPDATE_on_stream_1_is_for_the_HTTP1_request()
    {
        var client = Http2Harness.Parse(true, Http2Harness.Script([ClientStart, WindowUpdate(1, 100), new Step.Close()]), StreamSplits.Whole);
        var server = Http2Harness.Parse(false, Http2Harness.Script([ServerStart, WindowUpdate(1, 100), Headers(1, Status(200), endStream: true),
            new Step.Close()]), StreamSplits.Whole);

        var stream = Assert.Single(Http2ExchangeAssembler.Assemble(client, server, upgraded: true));
        Assert.False(stream.NeverOpened);
        Assert.Equal(Http2StreamFlags.None, stream.Flags & Http2StreamFlags.Malformed);
    }

    [Theory]
    [InlineData("server", "WINDOW_UPDATE", 3, "incomplete,malformed", "WINDOW_UPDATE from the server on stream 3, which the client never opened")]
    [InlineData("client", "RST_STREAM", 3, "incomplete,malformed,reset", "RST_STREAM on stream 3, which the client never opened")]
    [InlineData("client", "WINDOW_UPDATE", 3, "incomplete,malformed", "WINDOW_UPDATE on stream 3, which the client never opened")]
    [InlineData("server", "RST_STREAM", 2, "incomplete,malformed,reset", "RST_STREAM on stream 2, which the server never opened")]
    public void The_exchange_is_flagged_malformed_not_no_request_begins_with_the_frame_and_show_names_it(
        string sender, string frame, int streamId, string expectedFlags, string note)
    {
        byte[] bad = frame == "RST_STREAM" ? RstStream(streamId, 8) : WindowUpdate(streamId, 100);
        var rec = new SyntheticRecording(_dir.File($"idle-{sender}-{frame}.db"));
        var connection = rec.Connection("curl", 30, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Concat(ClientStart, Headers(1, Get("/a"), endStream: true)))
            .ServerSends(2, Concat(ServerStart, Headers(1, Status(200), endStream: true)));
        if (sender == "client") connection.ClientSends(3, bad);
        else connection.ServerSends(3, bad);
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db);
        Assert.Equal(["", expectedFlags],
            exchanges.Select(e => string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))));
        Assert.Equal("2026-01-02T03:04:05.003000Z", exchanges[1].GetProperty("ts").GetString()); // when the frame came
        Assert.Contains($"  note        {note} (RFC 9113 §5.1: a connection error)", Analyze.Output(db, "show", "2"));
    }
}
