using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// `malformed` says that an HTTP/1 exchange broke the grammar, not how; `show` says how in its `note`, in the parser's
/// words and naming the message: a body framed both by Transfer-Encoding and by Content-Length (the request smuggling
/// pattern, RFC 9112 §6.3 item 3) is a different matter from a folded field line (§5.2), a broken chunk, or bytes after a
/// body where the next message should begin. Each note names the section of RFC 9112 whose rule the message broke;
/// one against the analyzer's own limits (--max-head-kb, --max-headers) names none.
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
            "/smuggle: request: ambiguous framing: Transfer-Encoding and Content-Length both present, Transfer-Encoding used (RFC 9112 §6.3)",
            "/folded: response: obsolete line folding: continuation joined to the previous field (RFC 9112 §5.2); " +
            "response: invalid chunked body: chunk data not followed by CRLF (RFC 9112 §7.1)",
            "/long: response: bytes after it start no message: its body may be longer than its framing said",
            "/fine: ",
        ], notes);
        Assert.Contains("  note        request: ambiguous framing: Transfer-Encoding and Content-Length both present, Transfer-Encoding used (RFC 9112 §6.3)\n",
            Analyze.Output(db, "show", "1").ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("GET /a HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n", "request: invalid Content-Length", "(RFC 9112 §6.3)")]
    [InlineData("GET /a HTTP/1.1\r\nHost: a\r\nBad Name: 1\r\n\r\n", "request: invalid header line", "(RFC 9112 §5)")]
    [InlineData("GET /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n", "request: invalid chunk size", "(RFC 9112 §7.1)")]
    [InlineData("GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "request: more than one Host field line", "(RFC 9112 §3.2)")]
    [InlineData("GET /a HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "request: ambiguous framing: Transfer-Encoding in an HTTP/1.0", "(RFC 9112 §6.1)")]
    public void Each_note_names_the_section_of_RFC_9112_the_message_broke(string request, string starts, string ends)
    {
        string note = NoteOfOneExchange(request);

        Assert.StartsWith(starts, note);
        Assert.EndsWith(ends, note);
    }

    [Fact]
    public void A_head_over_the_analyzers_own_limit_names_no_rule() =>
        Assert.Equal("request: message head has more than 2 header fields",
            NoteOfOneExchange("GET /a HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nX-B: 2\r\n\r\n", "--max-headers", "2"));

    /// <summary>`show`'s note of a connection that carried this request and a 400 that closed it.</summary>
    private string NoteOfOneExchange(string request, params string[] options)
    {
        var rec = new SyntheticRecording(_dir.File($"note-{Guid.NewGuid():N}.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, request)
            .ServerSends(2, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .Close(3);
        string shown = Analyze.Output(rec.Save(), ["show", "1", .. options]);
        return shown.Split('\n').Single(l => l.StartsWith("  note")).Replace("  note        ", "").TrimEnd('\r');
    }
}
