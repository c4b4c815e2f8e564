using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// A request line that does not parse (a space in the target, a line past --max-head-kb) still began a request, and the
/// server answers it, most often with 400 or 414 (RFC 9112 §3). It is an exchange of its own, `malformed`, with no method
/// or path, and that answer is its response: requests and responses pair by order, so the next request keeps its own.
/// On a connection where no HTTP response came at all, such bytes were most likely never HTTP, and are no exchange.
/// </summary>
public sealed class UnparsedRequestLineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("GET /a b HTTP/1.1\r\nHost: pairing.test\r\n\r\n", 400)]
    [InlineData("GET /too-long-for-max-head-kb-1-", 414)]
    public void A_request_line_that_does_not_parse_is_answered_by_its_own_response(string badRequest, int answer)
    {
        if (answer == 414) badRequest += new string('a', 2048) + " HTTP/1.1\r\n\r\n";
        const string Next = "GET /next HTTP/1.1\r\nHost: pairing.test\r\n\r\n";
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "unparsed.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, badRequest)
            .ServerSends(2, $"HTTP/1.1 {answer} Refused\r\nContent-Length: 0\r\n\r\n")
            .ClientSends(3, Next)
            .ServerSends(4, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db, "--max-head-kb", "1");
        Assert.Equal([$"- - {answer} req={badRequest.Length} [malformed]", $"GET /next 200 req={Next.Length} []"], exchanges.Select(Describe));
        Assert.Contains("  (request line not parsed) http://127.0.0.1:8080\n",
            Analyze.Output(db, "show", exchanges[0].GetProperty("id").ToString(), "--max-head-kb", "1").ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_request_line_that_does_not_parse_leaves_the_request_before_it_unflagged()
    {
        // The bad line begins with a method and a space: it is the next request, not bytes the request before it overran.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "after-good.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /fine HTTP/1.1\r\nHost: pairing.test\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .ClientSends(3, "GET /a b HTTP/1.1\r\nHost: pairing.test\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .Close(5);
        string db = rec.Save();

        Assert.Equal(["GET /fine 200 req=42 []", "- - 400 req=41 [malformed]"], Analyze.ListJson(db).Select(Describe));
    }

    [Fact]
    public void Bytes_on_a_connection_no_HTTP_response_ever_answered_are_no_exchange()
    {
        // What --all-tcp records of a database's connection: its requests are no request lines, and nothing answers as HTTP.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "redis.db"));
        rec.Connection("app", 10, "client", "127.0.0.1:50000", "127.0.0.1:6379")
            .ClientSends(1, "*1\r\n$4\r\nPING\r\n")
            .ServerSends(2, "+PONG\r\n")
            .ClientSends(3, "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n")
            .ServerSends(4, "$-1\r\n")
            .Close(3600000);
        string db = rec.Save();

        Assert.Empty(Analyze.ListJson(db));
    }

    private static string Describe(JsonElement e) =>
        $"{e.GetProperty("method").GetString() ?? "-"} {e.GetProperty("path").GetString() ?? "-"} {e.GetProperty("status")} " +
        $"req={e.GetProperty("req_bytes")} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]";
}
