using Capture.Analyzer.Http2;
using Capture.Tests.Support;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// A stream flagged `malformed` says why: `show` notes the rule its frames broke, with the section of RFC 9113 that
/// states it, as it does for a field section (§8). A content-length its DATA contradicts (§8.1.1), DATA before the header
/// section (§8.1), an interim response that ends the stream (§8.1), a frame after END_STREAM (§5.1), a stream opened below
/// one opened before (§5.1.1).
/// </summary>
public sealed class MalformedStreamNoteTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string? NoteOfResponse(params object[] response) =>
        Single([ClientStart, Headers(1, Get("/a"), endStream: true)], [ServerStart, .. response]).Violation;

    [Fact]
    public void A_response_that_ends_short_of_its_content_length_says_how_many_octets_came_and_how_many_it_declared()
    {
        Assert.Equal("response: ended after 5 octets of DATA, fewer than its content-length of 100 (RFC 9113 §8.1.1)",
            NoteOfResponse(Headers(1, Status(200).WithoutIndexing("content-length", "100")), Data(1, "short", endStream: true)));
    }

    [Fact]
    public void A_request_with_more_DATA_than_its_content_length_says_so()
    {
        var stream = Single([ClientStart, Headers(1, Get("/up").WithoutIndexing("content-length", "2")), Data(1, "abc", endStream: true)],
            [ServerStart, Headers(1, Status(204), endStream: true)]);

        Assert.Equal("request: 3 octets of DATA, more than its content-length of 2 (RFC 9113 §8.1.1)", stream.Violation);
    }

    [Fact]
    public void DATA_before_the_header_section_says_so()
    {
        Assert.Equal("response: DATA before the header section (RFC 9113 §8.1)", NoteOfResponse(Data(1, "x"), Headers(1, Status(200), endStream: true)));
    }

    [Fact]
    public void An_interim_response_that_ends_the_stream_says_so()
    {
        Assert.Equal("response: interim response 103 ends the stream (RFC 9113 §8.1)", NoteOfResponse(Headers(1, Status(103), endStream: true)));
    }

    [Fact]
    public void A_frame_after_END_STREAM_names_the_frame()
    {
        Assert.Equal("response: DATA after END_STREAM (RFC 9113 §5.1: a stream error)",
            NoteOfResponse(Headers(1, Status(200), endStream: true), Data(1, "late")));
    }

    [Fact]
    public void A_stream_opened_below_one_opened_before_names_both()
    {
        var streams = Assemble([ClientStart, Headers(5, Get("/a"), endStream: true), Headers(3, Get("/b"), endStream: true)],
            [ServerStart, Headers(5, Status(200), endStream: true), Headers(3, Status(200), endStream: true)]);

        Assert.Equal("stream 3 opened after stream 5 (RFC 9113 §5.1.1: stream ids only increase; a connection error)",
            streams.Single(s => s.StreamId == 3).Violation);
    }

    [Fact]
    public void A_push_promised_below_one_promised_before_names_both()
    {
        var streams = Assemble([ClientStart, Headers(1, Get("/"), endStream: true)],
            [ServerStart, PushPromise(1, 4, Get("/b.css")), PushPromise(1, 2, Get("/a.css")), Headers(1, Status(200), endStream: true)]);

        Assert.Equal("stream 2 promised after stream 4 (RFC 9113 §5.1.1: stream ids only increase; a connection error)",
            streams.Single(s => s.StreamId == 2).Violation);
    }

    [Fact]
    public void A_stream_malformed_by_a_frame_the_parser_refused_gives_the_parsers_words()
    {
        var streams = Assemble([ClientStart, Headers(2, Get("/a"), endStream: true)], [ServerStart, Headers(2, Status(400), endStream: true)]);

        Assert.Equal("HEADERS frame from the client on even stream 2 (RFC 9113 §5.1.1)", Assert.Single(streams).Violation);
    }

    [Fact]
    public void A_frame_the_parser_refused_for_its_own_rules_names_its_types_section()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true), WindowUpdate(1, 0)],
            [ServerStart, Headers(1, Status(200), endStream: true)]);

        Assert.Equal("WINDOW_UPDATE with an increment of 0 (RFC 9113 §6.9)", stream.Violation);
    }

    [Fact]
    public void A_field_block_HPACK_cannot_decode_gives_the_decoders_words()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(200).Indexed(70), endStream: true)]);

        Assert.StartsWith("HPACK InvalidIndex at byte ", stream.Violation);
        Assert.EndsWith(" (RFC 7541 §2.3.3)", stream.Violation);
    }

    [Fact]
    public void Show_notes_why_a_stream_whose_body_contradicts_its_content_length_is_malformed()
    {
        var rec = new SyntheticRecording(_dir.File("content-length.db"));
        rec.Connection("curl", 30, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Concat(ClientStart, Headers(1, Get("/a"), endStream: true)))
            .ServerSends(2, Concat(ServerStart, Headers(1, Status(200).WithoutIndexing("content-length", "100")), Data(1, "short", endStream: true)));
        string db = rec.Save();

        Assert.Contains("  note        response: ended after 5 octets of DATA, fewer than its content-length of 100 (RFC 9113 §8.1.1)",
            Analyze.Output(db, "show", "1"));
    }
}
