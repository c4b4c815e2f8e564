using Capture.Analyzer.Http2;
using Capture.Tests.Support;
using static Capture.Tests.Http2.ConnectionHarness;
using static Capture.Tests.Http2.Frames;

namespace Capture.Tests.Http2;

/// <summary>
/// RFC 9113 §8.6: HTTP/2 does not have the 101 (Switching Protocols) status; a connection changes protocol only by the
/// HTTP/1.1 Upgrade before it (h2c). A 101 on an HTTP/2 stream is no interim response like 100 or 103 but a broken rule:
/// the stream is malformed, and `show` notes why, as it does for the other rules a field section breaks.
/// </summary>
public sealed class SwitchingProtocolsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_101_before_the_final_response_makes_the_stream_malformed_and_says_why()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(101)), Headers(1, Status(200), endStream: true)]);

        Assert.Equal((200, Http2StreamFlags.Malformed), (stream.Status, stream.Flags));
        Assert.Equal("response: :status 101 (Switching Protocols), which HTTP/2 does not have (RFC 9113 §8.6)", stream.Violation);
    }

    [Fact]
    public void A_103_before_the_final_response_is_an_interim_response_and_breaks_no_rule()
    {
        var stream = Single([ClientStart, Headers(1, Get("/a"), endStream: true)],
            [ServerStart, Headers(1, Status(103)), Headers(1, Status(200), endStream: true)]);

        Assert.Equal((200, Http2StreamFlags.None, null), (stream.Status, stream.Flags, stream.Violation));
    }

    [Fact]
    public void Show_notes_the_101_and_any_other_rule_a_field_section_broke()
    {
        var rec = new SyntheticRecording(_dir.File("h2-101.db"));
        rec.Connection("curl", 30, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Concat(ClientStart, Headers(1, Get("/ws"), endStream: true), Headers(3, Get("/b"), endStream: true)))
            .ServerSends(2, Concat(ServerStart, Headers(1, Status(101)), Headers(1, Status(200), endStream: true),
                Headers(3, Status(200).WithoutIndexing("X-Upper", "1"), endStream: true)));
        string db = rec.Save();

        var flags = Analyze.ListJson(db).Select(e => string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString())));
        Assert.Equal(["malformed", "malformed"], flags);
        Assert.Contains("  note        response: :status 101 (Switching Protocols), which HTTP/2 does not have (RFC 9113 §8.6)\n",
            Analyze.Output(db, "show", "1").ReplaceLineEndings("\n"));
        Assert.Contains("  note        response: field name X-Upper has uppercase letters (RFC 9113 §8.2.1)\n",
            Analyze.Output(db, "show", "2").ReplaceLineEndings("\n"));
    }
}
