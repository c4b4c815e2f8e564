using System.Text;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>A body in Latin-1 (or any bytes that are not UTF-8) is shown as a hex dump by `show` and exported to HAR,
/// however long: deciding whether it is text must not cost more than a pass over it.</summary>
public sealed class NonUtf8BodyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_long_latin1_body_is_shown_as_bytes_and_exported()
    {
        var body = Encoding.Latin1.GetBytes(string.Concat(Enumerable.Repeat("caf\u00e9 cr\u00e8me ", 2000)));
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "latin1.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /menu HTTP/1.1\r\nHost: latin1.test\r\n\r\n")
            .ServerSends(2, [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Length: {body.Length}\r\n\r\n"), .. body])
            .Close(3);
        string db = rec.Save();

        Assert.Contains("63 61 66 e9", Analyze.Output(db, "show", "1"));
        var har = Path.Combine(_dir.Path, "latin1.har");
        Analyze.Output(db, "--export-har", har);
        Assert.Contains("\"bodySize\": " + body.Length, File.ReadAllText(har));
    }
}
