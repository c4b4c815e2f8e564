using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// `malformed` says that an HTTP/1 exchange broke the grammar, not how; `show` says how in its `note`, in the parser's
/// words and naming the message: a body framed both by Transfer-Encoding and by Content-Length (the request smuggling
/// pattern, RFC 9112 §6.3 item 3) is a different matter from a folded field line (§5.2), a broken chunk, or bytes after a
/// body where the next message should begin.
/// </summary>
public sealed class MalformedNoteTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Show_notes_what_made_each_message_of_an_exchange_malformed()
    {
        var rec = new SyntheticRecording(_dir.File("faults.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "POST /smuggle HTTP/1.1\r\nHost: err.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .ClientSends(3, "GET /folded HTTP/1.1\r\nHost: err.test\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 200 OK\r\nX-Long: one\r\n two\r\nX-Long-Too: three\r\n four\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n")
            .ClientSends(5, "GET /long HTTP/1.1\r\nHost: err.test\r\n\r\n")
            .ServerSends(6, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok, and more than that\r\n")
            .ClientSends(7, "GET /fine HTTP/1.1\r\nHost: err.test\r\n\r\n")
            .ServerSends(8, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .Close(9);
        string db = rec.Save();

        var notes = Analyze.ListJson(db).Select(e => Analyze.ShowJson(db, e.GetProperty("id").GetInt64()))
            .Select(e => $"{e.GetProperty("path").GetString()}: {e.GetProperty("note")}");
        Assert.Equal([
            "/smuggle: request: ambiguous framing: Transfer-Encoding and Content-Length both present, Transfer-Encoding used",
            "/folded: response: obsolete line folding: continuation joined to the previous field; response: invalid chunked body: chunk data not followed by CRLF",
            "/long: response: bytes after it start no message: its body may be longer than its framing said",
            "/fine: ",
        ], notes);
        Assert.Contains("  note        request: ambiguous framing: Transfer-Encoding and Content-Length both present, Transfer-Encoding used\n",
            Analyze.Output(db, "show", "1").ReplaceLineEndings("\n"));
    }
}
