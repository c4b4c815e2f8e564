using System.Text;
using Capture.Recorder.Interop;
using Capture.Recorder.Redaction;
using Capture.Recorder.Storage;
using Capture.Tests.Redaction;
using Dapper;

namespace Capture.Tests.Storage;

/// <summary>
/// A client that half-closed gets the answer and the server's FIN, and so TCP_CLOSE, before it reads: its reads come
/// after the connection's TCP_CLOSE event, which says bytes are still unread. They go on with the bytes before it, even
/// inside a secret's value, and its secrets are still redacted; the program's own close ends the connection.
/// </summary>
public sealed class ReadsAfterTcpCloseTests : IDisposable
{
    private readonly WriterRun _run = new();

    public void Dispose() => _run.Dispose();

    [Fact]
    public void A_secret_header_read_after_a_tcp_close_in_the_middle_of_a_head_is_still_redacted()
    {
        var open = new ConnEvent { Header = WriterRun.Header(EventKind.ConnOpen, EventSource.Connect, 1_000) };
        var request = WriterRun.Data(WriterRun.Header(EventKind.Data, EventSource.Write, 2_000), Direction.Egress, 0, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var statusLine = WriterRun.Data(WriterRun.Header(EventKind.Data, EventSource.Read, 3_000), Direction.Ingress, 0, "HTTP/1.1 200 OK\r\n");
        var tcpClose = new ConnEvent { Header = WriterRun.Header(EventKind.ConnClose, EventSource.TcpClose, 4_000), BytesSent = 27, BytesReceived = 70, UnreadAtTcpClose = 1 };
        const string rest = "Set-Cookie: session=topsecretvalue\r\nContent-Length: 0\r\n\r\n";
        var restOfHead = WriterRun.Data(WriterRun.Header(EventKind.Data, EventSource.Read, 5_000), Direction.Ingress, 17, rest);

        using var db = WriteRedacted(WriterRun.Conn(open, "curl"), request, statusLine, WriterRun.Conn(tcpClose, ""), restOfHead);

        var stored = string.Concat(db.Query<byte[]>("SELECT data FROM chunks WHERE direction = 1 ORDER BY stream_pos").Select(Encoding.ASCII.GetString));
        Assert.StartsWith("HTTP/1.1 200 OK\r\nSet-Cookie: ", stored);
        Assert.DoesNotContain("topsecretvalue", stored);
    }

    [Fact]
    public void A_secret_value_split_by_a_tcp_close_with_bytes_still_unread_is_redacted_on_both_sides_of_it()
    {
        var open = new ConnEvent { Header = WriterRun.Header(EventKind.ConnOpen, EventSource.Connect, 1_000) };
        var request = WriterRun.Data(WriterRun.Header(EventKind.Data, EventSource.Write, 2_000), Direction.Egress, 0, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        const string before = "HTTP/1.1 200 OK\r\nSet-Cookie: session=topsec";
        var first = WriterRun.Data(WriterRun.Header(EventKind.Data, EventSource.Read, 3_000), Direction.Ingress, 0, before);
        var tcpClose = new ConnEvent { Header = WriterRun.Header(EventKind.ConnClose, EventSource.TcpClose, 4_000), BytesSent = 27, BytesReceived = 80, UnreadAtTcpClose = 1 };
        var rest = WriterRun.Data(WriterRun.Header(EventKind.Data, EventSource.Read, 5_000), Direction.Ingress, (ulong)before.Length,
            "retvalue\r\nContent-Length: 0\r\n\r\n");

        var programsClose = new ConnEvent { Header = WriterRun.Header(EventKind.ConnClose, EventSource.Close, 6_000), BytesSent = 27, BytesReceived = 110 };

        using var db = WriteRedacted(WriterRun.Conn(open, "curl"), request, first, WriterRun.Conn(tcpClose, ""), rest, WriterRun.Conn(programsClose, "curl"));

        var stored = string.Concat(db.Query<byte[]>("SELECT data FROM chunks WHERE direction = 1 ORDER BY stream_pos").Select(Encoding.ASCII.GetString));
        Assert.DoesNotContain("topsec", stored);
        Assert.DoesNotContain("retvalue", stored);
    }

    private Microsoft.Data.Sqlite.SqliteConnection WriteRedacted(params byte[][] samples)
    {
        _run.Write(new StreamRedactor(new RedactionPolicy([], [], RedactionHarness.Key)), samples);
        return _run.Open();
    }
}
