using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// A response with neither Content-Length nor chunked coding runs until the connection closes (RFC 9112 §6.3 item 8).
/// The close is its end: when the recording saw it, the response is whole; when the connection was still open as the
/// recording ended, the body may have gone on, so the exchange is `incomplete`, as any message the recording ended in.
/// </summary>
public sealed class CloseDelimitedResponseTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_response_delimited_by_close_is_whole_only_when_the_close_was_seen()
    {
        const string Response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst part of the body";
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "close-delimited.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /closed HTTP/1.0\r\n\r\n")
            .ServerSends(2, Response)
            .Close(3);
        rec.Connection("curl", 11, "client", "127.0.0.1:50001", "127.0.0.1:8080")
            .ClientSends(4, "GET /still-open HTTP/1.0\r\n\r\n")
            .ServerSends(5, Response);
        string db = rec.Save();

        Assert.Equal(["/closed 200 []", "/still-open 200 [incomplete]"], Analyze.ListJson(db).Select(Describe));
    }

    [Fact]
    public void Bytes_lost_from_a_body_delimited_by_close_leave_it_ending_at_the_close_with_a_gap()
    {
        // Nothing can follow such a body on its connection, so a hole in it hides no message and no end: what comes after
        // the hole is still body (here a line that reads like a status line), and the response lasts until the close.
        const string Head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", After = "HTTP/1.1 500 quoted in a log\r\n\r\n";
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "close-delimited-hole.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /log HTTP/1.1\r\nHost: log.test\r\n\r\n")
            .ServerSends(2, Head + "first part\n")
            .ServerLoses(100)
            .ServerSends(40, After)
            .Close(41);
        string db = rec.Save();

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal("/log 200 [gap]", Describe(exchange));
        Assert.Equal(39, exchange.GetProperty("duration_ms").GetDouble());
        Assert.Equal(Head.Length + "first part\n".Length + 100 + After.Length, exchange.GetProperty("resp_bytes").GetInt64());
    }

    private static string Describe(JsonElement e) =>
        $"{e.GetProperty("path").GetString()} {e.GetProperty("status")} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]";
}
