using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// On a keep-alive connection the next message starts where the last one's framing says it ends. Bytes there that
/// start no message most often mean a body longer than its Content-Length said: the exchange before them is flagged
/// `malformed`, and the next message, found by resynchronising, is exact. Empty lines between messages are allowed
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

        var exchanges = Analyze.ListJson(db).Select(e =>
            $"{e.GetProperty("path").GetString()} {e.GetProperty("status")} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]");
        Assert.Equal(["/short-length 200 [malformed]", "/then 200 []", "/last 204 []"], exchanges);
    }

    [Fact]
    public void A_request_body_longer_than_its_Content_Length_flags_its_exchange()
    {
        // The server reads the overrun as the next request line, as a server does, and refuses it.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "overrun.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcEXTRA-BODY\r\n")
            .ServerSends(2, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .ServerSends(3, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .Close(4);
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db).Select(e =>
            $"{e.GetProperty("path").GetString() ?? "-"} {e.GetProperty("status")} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]");
        Assert.Equal(["/upload 200 [malformed]", "- 400 [malformed]"], exchanges);
    }
}
