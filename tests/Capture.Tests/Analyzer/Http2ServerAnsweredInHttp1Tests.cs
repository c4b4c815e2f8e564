using System.Text.Json;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// An HTTP/2 client (prior knowledge, `curl --http2-prior-knowledge`) talking to a server that does not speak HTTP/2:
/// the server reads "PRI * HTTP/2.0" as an HTTP/1 request line and answers it, with a status line (400, 505) or, like
/// Python's http.server, with a bare error page and no status line (HTTP/0.9 style). RFC 9113 §3.4: the server's
/// preface is a SETTINGS frame, so bytes that begin otherwise, on a connection whose client preface was captured, are
/// not read as frames. The streams are flagged malformed (the server broke the protocol), not left looking unanswered:
/// the first stream shows the HTTP/1 answer, its status and reason, or the bare bytes, and `show` says what happened.
/// </summary>
public sealed class Http2ServerAnsweredInHttp1Tests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string VersionNotSupported = "HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Type: text/plain\r\nContent-Length: 21\r\n" +
                                               "Connection: close\r\n\r\nInvalid HTTP version\n";

    /// <summary>What Python's http.server sends: an error page and nothing before it.</summary>
    private const string BareErrorPage = "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <title>Error response</title>\n    </head>\n" +
                                         "    <body>\n        <p>Error code: 505</p>\n        <p>Message: Invalid HTTP version (2.0).</p>\n    </body>\n</html>\n";

    private static byte[] Get(int stream, string path) => Frames.Headers(stream, new HpackBlock().WithoutIndexing(":method", "GET")
        .WithoutIndexing(":scheme", "http").WithoutIndexing(":path", path).WithoutIndexing(":authority", "127.0.0.1:8000").ToArray(), endStream: true);

    /// <summary>curl's side, or the server's: the client sends its preface and a request, the server answers
    /// <paramref name="answer"/> and closes, the client gives up with GOAWAY(PROTOCOL_ERROR).</summary>
    private string Record(string name, string role, string answer, params byte[][] requests)
    {
        var rec = new SyntheticRecording(_dir.File(name));
        var conn = role == "client"
            ? rec.Connection("curl", 50, "client", "127.0.0.1:41000", "127.0.0.1:8000")
            : rec.Connection("python3", 60, "server", "127.0.0.1:8000", "127.0.0.1:41000");
        conn.ClientSends(1, Frames.Concat([Frames.Preface, Frames.Settings((3, 100)), Frames.WindowUpdate(0, 1 << 20), .. requests]))
            .ServerSends(2, answer)
            .ClientSends(3, Frames.GoAway(0, 1, "SETTINGS expected"))
            .Close(4);
        return rec.Save();
    }

    private static string Describe(JsonElement e) =>
        $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} {e.GetProperty("status")} " +
        $"[{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]";

    [Theory]
    [InlineData("client")]
    [InlineData("server")]
    public void A_status_line_answer_is_the_first_streams_response_and_the_stream_is_malformed(string role)
    {
        string db = Record($"status-line-{role}.db", role, VersionNotSupported, Get(1, "/h2try"));

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal("GET /h2try 505 [malformed]", Describe(exchange));
        Assert.Equal(21, exchange.GetProperty("resp_bytes").GetInt64());
        string shown = Analyze.Output(db, "show", "1");
        Assert.Contains("  -> 505 HTTP Version Not Supported\n", shown);
        Assert.Contains("  note        the server answered in HTTP/1, not HTTP/2: \"HTTP/1.1 505 HTTP Version Not Supported\"\n", shown);
        Assert.Contains("<   Content-Type: text/plain", shown);
        Assert.Contains("Invalid HTTP version", shown);
    }

    [Theory]
    [InlineData("client")]
    [InlineData("server")]
    public void A_bare_body_answer_is_shown_with_no_status_and_the_stream_is_malformed(string role)
    {
        string db = Record($"bare-body-{role}.db", role, BareErrorPage, Get(1, "/h2try"));

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal("GET /h2try  [incomplete,malformed,goaway]", Describe(exchange));
        string shown = Analyze.Output(db, "show", "1");
        Assert.Contains("  -> (no status line)\n", shown);
        Assert.Contains("  note        the server's answer begins with neither the SETTINGS frame of HTTP/2 nor an HTTP/1 status line: " +
                        "\"<!DOCTYPE HTML>\\n<html lang=\"en\">\\n    <head>\\n        <title>Error…\"\n", shown);
        Assert.Contains("Error code: 505", shown);
    }

    [Fact]
    public void Every_stream_the_server_left_unanswered_is_malformed_and_noted()
    {
        string db = Record("two-streams.db", "client", VersionNotSupported, Get(1, "/a"), Get(3, "/b"));

        Assert.Equal(["GET /a 505 [malformed]", "GET /b  [incomplete,malformed,goaway]"], Analyze.ListJson(db).Select(Describe));
        Assert.Contains("  note        the server answered in HTTP/1, not HTTP/2", Analyze.Output(db, "show", "2"));
    }

    [Fact]
    public void The_errors_question_lists_both_kinds_of_answer()
    {
        string withStatus = Record("errors-status.db", "client", VersionNotSupported, Get(1, "/h2try"));
        string bare = Record("errors-bare.db", "client", BareErrorPage, Get(1, "/h2try"));

        Assert.Single(Json(withStatus, "--errors"));
        Assert.Single(Json(bare, "--errors"));
    }

    private static List<JsonElement> Json(string db, string question) =>
        Analyze.Output(db, question, "--json").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
}
