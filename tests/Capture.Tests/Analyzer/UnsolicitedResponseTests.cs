using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// A server may send a whole response no request asked for: a 408 Request Timeout before it closes an idle
/// connection (RFC 9110 §15.5.9). It is shown as what it is, flagged `no_request` and not `incomplete`, which
/// stays for a message cut off or a request never answered.
/// </summary>
public sealed class UnsolicitedResponseTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_whole_response_with_no_request_is_flagged_no_request_only()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "unsolicited.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ServerSends(1, "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .Close(2);
        rec.Connection("curl", 11, "client", "127.0.0.1:50001", "127.0.0.1:8080")
            .ClientSends(3, "GET /never-answered HTTP/1.1\r\nHost: unsolicited.test\r\n\r\n")
            .Close(4);
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db).Select(e =>
            $"{e.GetProperty("path").GetString() ?? "-"} {(e.GetProperty("status").ValueKind == JsonValueKind.Null ? "-" : e.GetProperty("status"))} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]");
        Assert.Equal(["- 408 [no_request]", "/never-answered - [incomplete]"], exchanges);
    }
}
