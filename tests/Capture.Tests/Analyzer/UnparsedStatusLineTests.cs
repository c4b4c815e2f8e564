using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// A line that begins "HTTP/" where a response should start, but does not parse as a status line (a two-digit code,
/// a malformed version), is still the server's answer to the next request. It is a response of its own, `malformed`,
/// with no status: requests and responses pair by order, so the request after keeps its own answer. Its head's
/// Content-Length or chunked coding says where it ends; without them it runs to the next status line.
/// </summary>
public sealed class UnparsedStatusLineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nno")]
    [InlineData("HTTP/1.1 20 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.x 200 OK\r\nServer: odd\r\n\r\n")]
    public void A_status_line_that_does_not_parse_answers_its_own_request_and_the_next_request_keeps_its_response(string badResponse)
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "unparsed-status.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /first HTTP/1.1\r\nHost: pairing.test\r\n\r\n")
            .ServerSends(2, badResponse)
            .ClientSends(3, "GET /second HTTP/1.1\r\nHost: pairing.test\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .Close(5);
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db);
        Assert.Equal([$"GET /first - resp={badResponse.Length} [malformed]", "GET /second 200 resp=40 []"], exchanges.Select(Describe));
        Assert.Contains("  -> (status line not parsed)\n",
            Analyze.Output(db, "show", exchanges[0].GetProperty("id").ToString()).ReplaceLineEndings("\n"));
    }

    private static string Describe(JsonElement e) =>
        $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} " +
        $"{(e.GetProperty("status").ValueKind == JsonValueKind.Null ? "-" : e.GetProperty("status").ToString())} " +
        $"resp={e.GetProperty("resp_bytes")} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]";
}
