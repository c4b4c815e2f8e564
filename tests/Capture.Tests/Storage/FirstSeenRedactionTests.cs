using System.Text;
using Capture.Recorder.Interop;
using Capture.Recorder.Redaction;
using Capture.Tests.Redaction;
using Dapper;

namespace Capture.Tests.Storage;

/// <summary>
/// A connection first seen by its bytes (its open event dropped) may be one the kernel joined mid-way, whose stream
/// positions count from where it joined: its close would say so, but its bytes are redacted before that. The writer
/// redacts it as joined mid-way, so a first line that is the rest of a secret field is not read as a line of its own.
/// </summary>
public sealed class FirstSeenRedactionTests : IDisposable
{
    private readonly WriterRun _run = new();

    public void Dispose() => _run.Dispose();

    [Fact]
    public void A_connection_first_seen_by_its_bytes_is_redacted_as_joined_mid_way()
    {
        var request = WriterRun.Data(WriterRun.Header(EventKind.Data, EventSource.Write, 2_000), Direction.Egress, 0, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var restOfHead = WriterRun.Data(WriterRun.Header(EventKind.Data, EventSource.Read, 3_000), Direction.Ingress, 0,
            "ie: session=topsecretvalue\r\nContent-Length: 0\r\n\r\n");
        var close = new ConnEvent { Header = WriterRun.Header(EventKind.ConnClose, EventSource.Close, 4_000), MidStream = 1 };

        _run.Write(new StreamRedactor(new RedactionPolicy([], [], RedactionHarness.Key)), request, restOfHead, WriterRun.Conn(close, "curl"));

        using var db = _run.Open();
        var stored = string.Concat(db.Query<byte[]>("SELECT data FROM chunks ORDER BY direction, stream_pos").Select(Encoding.ASCII.GetString));
        Assert.DoesNotContain("topsecretvalue", stored);
        Assert.StartsWith("GET / HTTP/1.1\r\nHost: a\r\n\r\n", stored);
    }
}
