using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// An exchange's duration runs from its first request byte to its last byte either way (README, "Analyzer output"):
/// --slowest, --stats and HAR's time tell the same story.
/// </summary>
public sealed class ExchangeDurationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_upload_still_being_sent_after_its_early_answer_lasts_until_its_last_byte_was_sent()
    {
        // A server may answer before reading the whole body (401, 413); the client goes on sending it, 95 ms more here.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "early-answer.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(0, "POST /upload HTTP/1.1\r\nHost: upload.test\r\nContent-Length: 20\r\n\r\n0123456789")
            .ServerSends(5, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
            .ClientSends(100, "0123456789")
            .Close(101);
        string db = rec.Save();

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal(100, exchange.GetProperty("duration_ms").GetDouble());
        Assert.Equal(5, exchange.GetProperty("ttfb_ms").GetDouble());
    }

    [Fact]
    public void An_HTTP2_upload_still_being_sent_after_its_early_answer_lasts_until_its_END_STREAM()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "early-answer-h2.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(0, Frames.Concat(Frames.Preface, Frames.Settings(), Frames.Headers(1, new HpackBlock().WithoutIndexing(":method", "POST")
                .WithoutIndexing(":scheme", "http").WithoutIndexing(":path", "/upload").WithoutIndexing(":authority", "upload.test").ToArray())))
            .ServerSends(5, Frames.Concat(Frames.Settings(), Frames.SettingsAck(),
                Frames.Headers(1, new HpackBlock().WithoutIndexing(":status", "413").ToArray(), endStream: true)))
            .ClientSends(100, Frames.Data(1, "the rest", endStream: true))
            .Close(101);
        string db = rec.Save();

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal(100, exchange.GetProperty("duration_ms").GetDouble());
    }
}
