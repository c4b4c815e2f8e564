using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// HTTP/1.1 answers go to requests in order (RFC 9112 §9.3.2), but no server answers a request before a byte of it was
/// sent, and both directions are stamped by one clock. An answer that began before the request in its place was sent
/// answers something the capture did not see (a request before a connection the capture joined mid-way, one lost in a
/// hole) or nothing (a 408 to an idle connection): it is shown as `no_request`, and the request gets the answer after it,
/// rather than every later request being paired with the answer before its own.
/// </summary>
public sealed class AnswerBeforeRequestTests : IDisposable
{
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_response_read_before_the_request_was_sent_does_not_answer_it()
    {
        var rec = new SyntheticRecording(_dir.File("joined.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ServerSends(1, Ok) // the answer to a request made before the recording began
            .ClientSends(2, "GET /a HTTP/1.1\r\nHost: early.test\r\n\r\n")
            .ServerSends(3, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            .Close(4);

        Assert.Equal([" 200 [no_request]", "/a 201 []"], Exchanges(rec.Save()));
    }

    [Fact]
    public void A_request_sent_after_the_only_response_has_no_answer()
    {
        var rec = new SyntheticRecording(_dir.File("late.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ServerSends(1, Ok)
            .ClientSends(2, "GET /a HTTP/1.1\r\nHost: early.test\r\n\r\n")
            .Close(3);

        Assert.Equal([" 200 [no_request]", "/a - [incomplete]"], Exchanges(rec.Save()));
    }

    private static IEnumerable<string> Exchanges(string db) => Analyze.ListJson(db).Select(e =>
        $"{e.GetProperty("path").GetString()} {(e.GetProperty("status").ValueKind == JsonValueKind.Null ? "-" : e.GetProperty("status"))} " +
        $"[{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]");
}
