using System.IO.Compression;
using System.Text;
using Capture.Analyzer.Output;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// What coding a body still carries when `show` and HAR decode it: every Content-Encoding field line (RFC 9110 §8.4:
/// several lines are one list), and a transfer coding other than chunked (RFC 9112 §6.1: `gzip, chunked` is gzipped,
/// then chunked; the parser undoes only chunked). A body still gzipped is never shown as if it were the content.
/// </summary>
public sealed class BodyCodingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static KeyValuePair<string, string> F(string name, string value) => new(name, value);

    [Fact]
    public void Content_codings_of_every_field_line_come_first_then_transfer_codings_other_than_chunked()
    {
        Assert.Null(BodyCoding.Of([F("Transfer-Encoding", "chunked"), F("Content-Type", "text/plain")]));
        Assert.Equal("gzip", BodyCoding.Of([F("Transfer-Encoding", "gzip, chunked")]));
        Assert.Equal("gzip, br", BodyCoding.Of([F("Content-Encoding", "gzip"), F("content-encoding", "br")]));
        Assert.Equal("br, gzip", BodyCoding.Of([F("Transfer-Encoding", "gzip;q=1, chunked"), F("Content-Encoding", "identity, br")]));
    }

    [Fact]
    public void A_body_gzipped_as_a_transfer_coding_is_shown_decoded()
    {
        var gzip = new MemoryStream();
        using (var s = new GZipStream(gzip, CompressionLevel.Optimal, true)) s.Write("hello, transfer coding"u8);
        byte[] body = gzip.ToArray();
        var rec = new SyntheticRecording(_dir.File("te-gzip.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /a HTTP/1.1\r\nHost: te.test\r\nTE: gzip\r\n\r\n")
            .ServerSends(2, [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n{body.Length:x}\r\n"), .. body, .. "\r\n0\r\n\r\n"u8])
            .Close(3);

        string shown = Analyze.Output(rec.Save(), "show", "1");
        Assert.Contains($"< response body: {body.Length} bytes, gzip decoded to 22 bytes\n<   hello, transfer coding\n", shown.ReplaceLineEndings("\n"));
    }
}
