using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// On a keep-alive connection the next message starts where the last one's framing says it ends. Bytes there that
/// start no message most often mean a body longer than its Content-Length said: the exchange before them is flagged
/// `malformed`, and the next message, found by resynchronising, is exact. A request's overrun is what a server reads as
/// its next request line: it is an exchange of its own where the server answered it, and takes no answer from the next
/// request where the server did not (see Http1Pairing). Empty lines between messages are allowed
/// (RFC 9112 §2.2: a client may send one after a POST body) and flag nothing; so does a request line that does not parse
/// but begins with a method and a space, which is the next request (see <see cref="UnparsedRequestLineTests"/>).
/// </summary>
public sealed class BytesBetweenMessagesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Bytes_after_a_body_that_start_no_message_flag_the_exchange_before_them()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "between.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /short-length HTTP/1.1\r\nHost: x\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcEXTRA-BODY\r\n")
            .ClientSends(3, "POST /then HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi\r\n")
            .ServerSends(4, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .ClientSends(5, "GET /last HTTP/1.1\r\nHost: x\r\n\r\n")
            .ServerSends(6, "HTTP/1.1 204 No Content\r\n\r\n");
        string db = rec.Save();

        Assert.Equal(["/short-length 200 [malformed]", "/then 200 []", "/last 204 []"], Exchanges(db));
    }

    /// <summary>An upload whose body runs 12 bytes past its Content-Length, up to a line break.</summary>
    private const string Overrunning = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcEXTRA-BODY\r\n";

    [Fact]
    public void A_request_body_longer_than_its_Content_Length_flags_its_exchange()
    {
        // The server reads the overrun as the next request line, as a server does, and refuses it.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "overrun.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Overrunning)
            .ServerSends(2, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .ServerSends(3, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .Close(4);
        string db = rec.Save();

        Assert.Equal(["/upload 200 [malformed]", "- 400 [malformed]"], Exchanges(db));
    }

    [Fact]
    public void A_request_body_overrun_the_server_did_not_answer_leaves_each_later_request_with_its_own_response()
    {
        // The server took the overrun as part of the body (or let it pass): it answered the upload once, then each request.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "overrun-unanswered.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Overrunning)
            .ServerSends(2, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            .ClientSends(3, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            .ClientSends(5, "GET /last HTTP/1.1\r\nHost: x\r\n\r\n")
            .ServerSends(6, "HTTP/1.1 204 No Content\r\n\r\n");
        string db = rec.Save();

        Assert.Equal(["/upload 201 [malformed]", "/next 404 []", "/last 204 []"], Exchanges(db));
    }

    [Fact]
    public void An_overrun_refused_with_400_before_the_server_closed_is_that_400s_exchange_and_the_pipelined_request_after_it_is_unanswered()
    {
        // RFC 9112 §2.2: a server that reads bytes that are no HTTP message answers 400 and closes the connection.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "overrun-refused.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Overrunning + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            .ServerSends(3, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .Close(4);
        string db = rec.Save();

        Assert.Equal(["/upload 201 [malformed]", "- 400 [malformed]", "/next - [incomplete]"], Exchanges(db));
    }

    [Fact]
    public void An_overrun_the_server_answered_and_went_on_after_keeps_its_answer()
    {
        // Three answers to two requests and the overrun between them: the server read the overrun as a request.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "overrun-answered.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Overrunning)
            .ServerSends(2, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            .ServerSends(3, "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n")
            .ClientSends(4, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
            .ServerSends(5, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        string db = rec.Save();

        Assert.Equal(["/upload 201 [malformed]", "- 501 [malformed]", "/next 200 []"], Exchanges(db));
    }

    [Theory]
    [InlineData(3, 4, new[] { "/upload 201 [malformed]", "- 501 [malformed]", "/next - [incomplete]" })]
    [InlineData(4, 3, new[] { "/upload 201 [malformed]", "/next 501 []" })]
    public void An_answer_that_began_before_the_next_request_was_sent_is_the_overruns_even_with_no_answer_left_for_that_request(
        double answeredAtMs, double nextSentAtMs, string[] expected)
    {
        // No server answers a request it has not seen a byte of: a 501 sent before the next request is the overrun's,
        // a server that refused the overrun and kept the connection. Sent after it, by the count of answers it is the
        // next request's, and the server let the overrun pass.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "overrun-answer-time.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Overrunning)
            .ServerSends(2, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            .ServerSends(answeredAtMs, "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n")
            .ClientSends(nextSentAtMs, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
        string db = rec.Save();

        Assert.Equal(expected, Exchanges(db));
    }

    [Fact]
    public void An_overrun_with_no_line_break_within_the_head_limit_is_an_overrun_not_a_request()
    {
        // 70,000 bytes past the Content-Length before a line break: more than a head may hold (64 KiB), so no line
        // was read there, yet they are the upload's body run over, not a request of the server's.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "overrun-long.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" + new string('X', 70_000) + "\r\n")
            .ServerSends(2, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            .ClientSends(3, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        string db = rec.Save();

        Assert.Equal(["/upload 201 [malformed]", "/next 404 []"], Exchanges(db));
    }

    [Fact]
    public void A_request_line_longer_than_the_head_limit_is_a_request_and_leaves_the_one_before_it_unflagged()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "long-request-line.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .ClientSends(3, "GET /" + new string('a', 70_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 414 URI Too Long\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .Close(5);
        string db = rec.Save();

        Assert.Equal(["/first 200 []", "- 414 [malformed]"], Exchanges(db));
    }

    [Fact]
    public void An_overrun_the_server_did_not_answer_leaves_a_later_CONNECT_the_answer_that_opened_its_tunnel()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "overrun-connect.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:3128")
            .ClientSends(1, Overrunning)
            .ServerSends(2, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            .ClientSends(3, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 200 Connection established\r\n\r\n")
            .ClientSends(5, "\x16\x03\x01\x00\x0a\x01\x00\x00\x06\x03\x03\xd9\x0a\x53\x0d")
            .Close(6);
        string db = rec.Save();

        Assert.Equal(["/upload 201 [malformed]", " 200 []"], Exchanges(db));
    }

    private static IEnumerable<string> Exchanges(string db) => Analyze.ListJson(db).Select(e =>
        $"{e.GetProperty("path").GetString() ?? "-"} {(e.GetProperty("status").ValueKind == JsonValueKind.Null ? "-" : e.GetProperty("status"))} " +
        $"[{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]");
}
