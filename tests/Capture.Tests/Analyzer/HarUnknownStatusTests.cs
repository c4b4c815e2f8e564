using System.Text;
using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// HAR's response needs a number for its status, and an exchange without one gets 0, which an importer shows as it shows
/// a request the browser blocked or gave up on. The response's `comment` says why there is no status: its status line
/// did not parse, was not captured, or no response was captured at all. A response with a status has no comment.
/// </summary>
public sealed class HarUnknownStatusTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Get = "GET /a HTTP/1.1\r\nHost: har.test\r\n\r\n";

    [Fact]
    public void A_status_line_that_did_not_parse_gives_status_0_with_a_comment_saying_so()
    {
        var rec = Recording();
        Connection(rec).ClientSends(1, Get).ServerSends(2, "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n");
        var response = OnlyResponse(rec);

        Assert.Equal("0: status 0: the status line did not parse (flagged malformed)", Describe(response));
    }

    [Fact]
    public void A_status_line_the_cap_left_uncaptured_gives_status_0_with_a_comment_saying_so()
    {
        // One write held all of the 200 and the start of the 404: the cap kept nothing of the 404.
        const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", NotFound = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        var rec = Recording();
        Connection(rec)
            .ClientSends(1, Get + "GET /b HTTP/1.1\r\nHost: har.test\r\n\r\n")
            .ServerSendsCapped(2, Encoding.ASCII.GetBytes(Ok + NotFound), captured: Ok.Length)
            .Close(3);
        var responses = Responses(rec);

        Assert.Equal(["200: -", "0: status 0: the status line was not captured (the per-call cap left it out; flagged truncated)"],
            responses.Select(Describe));
    }

    [Fact]
    public void A_request_that_got_no_response_gives_status_0_with_a_comment_saying_so()
    {
        var rec = Recording();
        Connection(rec).ClientSends(1, Get).Close(500);
        var response = OnlyResponse(rec);

        Assert.Equal("0: status 0: no response was captured", Describe(response));
    }

    [Fact]
    public void A_request_answered_only_by_an_interim_response_gives_status_0_with_a_comment_saying_so()
    {
        var rec = Recording();
        Connection(rec).ClientSends(1, Get).ServerSends(2, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n");
        var response = OnlyResponse(rec);

        Assert.Equal("0: status 0: only an interim (1xx) response was captured, not the final one", Describe(response));
    }

    private SyntheticRecording Recording() => new(Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.db"));

    private static SyntheticRecording.Conn Connection(SyntheticRecording rec) =>
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080");

    private JsonElement OnlyResponse(SyntheticRecording rec) => Assert.Single(Responses(rec));

    private List<JsonElement> Responses(SyntheticRecording rec) =>
        Analyze.Har([rec.Save()], Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.har")).Entries
            .Select(e => e.GetProperty("response")).ToList();

    /// <summary>"status: comment", "-" for no comment.</summary>
    private static string Describe(JsonElement response) =>
        $"{response.GetProperty("status")}: {(response.TryGetProperty("comment", out var c) ? c.GetString() : "-")}";
}
