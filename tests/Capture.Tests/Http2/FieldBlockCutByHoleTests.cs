using Capture.Analyzer.Http2;
using Capture.Tests.Support;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// A field block whose HEADERS was captured whole but whose CONTINUATION frames fell in a hole (bytes lost across
/// frame boundaries), or were never captured because the recording ended. The HEADERS frame's representations decode
/// exactly (RFC 7541 §3.2: in order), so its fields are kept, and the block is marked cut: the rest is unknown. A
/// request whose HEADERS carried END_STREAM was sent whole when the hole is behind it, so it is not left unfinished.
/// </summary>
public sealed class FieldBlockCutByHoleTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly byte[] Continued = Continuation(1, new HpackBlock().WithoutIndexing("x-trace", "abc").ToArray());

    [Fact]
    public void A_request_block_whose_CONTINUATION_was_lost_keeps_the_HEADERS_fields_and_ends_its_stream()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true, endHeaders: false), Continued.Length + 40],
            [ServerStart, Headers(1, Status(200), endStream: true)]);

        Assert.Equal(("GET", "/a", 200), (stream.Method, stream.Path, stream.Status));
        Assert.True(stream.RequestComplete);
        Assert.True(stream.RequestFieldsCut);
    }

    [Fact]
    public void A_request_block_the_recording_ended_in_keeps_the_HEADERS_fields_and_stays_unfinished()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true, endHeaders: false)], [ServerStart]);

        Assert.Equal(("GET", "/a"), (stream.Method, stream.Path));
        Assert.False(stream.RequestComplete);
        Assert.True(stream.RequestFieldsCut);
    }

    [Fact]
    public void A_block_cut_by_a_frame_header_too_large_to_be_one_decodes_with_the_table_as_it_was()
    {
        // Stream 3's block refers to the entry stream 1's block added (index 62); then comes no CONTINUATION but a length
        // over the frame size: the frame boundary is lost there, and the table after it.
        var streams = Assemble([ClientStart, Headers(1, Get("/a").Incremental("x-a", "1"), endStream: true),
                Headers(3, Get("/b").Indexed(62), endStream: true, endHeaders: false), Frame(0x9, 0, 3, [], length: 20000)],
            [ServerStart, Headers(1, Status(200), endStream: true)]);

        var stream = streams.Single(s => s.StreamId == 3);
        Assert.Equal(("/b", "1"), (stream.Path, stream.RequestHeaders.Single(f => f.Key == "x-a").Value));
        Assert.True(stream.RequestFieldsCut);
    }

    [Fact]
    public void Show_says_the_request_field_block_was_cut_and_that_its_fields_are_those_before_the_cut()
    {
        var rec = new SyntheticRecording(_dir.File("cut-by-hole.db"));
        rec.Connection("curl", 30, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Concat(ClientStart, Headers(1, Get("/a"), endStream: true, endHeaders: false)))
            .ClientLoses(Continued.Length)
            .ServerSends(3, Concat(ServerStart, Headers(1, Status(200), endStream: true)))
            .ClientSends(4, WindowUpdate(0, 1000));
        string db = rec.Save();

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal(["gap"], exchange.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        string shown = Analyze.Output(db, "show", "1");
        Assert.Contains("GET http://example.com/a", shown);
        Assert.Contains("  note        request field block not captured whole: the fields shown are those before the cut, the rest are unknown", shown);
    }
}
