using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// `--errors` answers "what went wrong": an exchange that broke HTTP's syntax (`malformed`) is listed whatever its
/// status said, since a 200 framed two ways (Transfer-Encoding with Content-Length, the request smuggling pattern) or an
/// answer in the wrong protocol is a failure to look at; `--stats` counts it in the error rate the same way.
/// </summary>
public sealed class MalformedIsAnErrorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<JsonElement> Json(string db, string question) =>
        Analyze.Output(db, question, "--json").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void A_200_framed_two_ways_is_listed_by_errors_and_counted_in_the_error_rate()
    {
        var rec = new SyntheticRecording(_dir.File("framed.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /fine HTTP/1.1\r\nHost: err.test\r\n\r\n").ServerSends(2, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .ClientSends(3, "POST /smuggle HTTP/1.1\r\nHost: err.test\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        string db = rec.Save();

        var errors = Json(db, "--errors");
        Assert.Equal("/smuggle 200 malformed", Assert.Single(errors.Select(e =>
            $"{e.GetProperty("path").GetString()} {e.GetProperty("status")} {string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}")));
        var smuggle = Json(db, "--stats").Single(r => r.GetProperty("path").GetString() == "/smuggle");
        Assert.Equal(1, smuggle.GetProperty("errors").GetInt32());
    }
}
