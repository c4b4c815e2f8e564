using Capture.Recorder.Interop;
using Dapper;

namespace Capture.Tests.Storage;

/// <summary>
/// When a connection's open event was dropped, its first data event stands in for it (opened_by `first_seen`). A data
/// event does not say whether bytes flowed before the kernel saw the connection, nor how its TLS calls were tied to the
/// socket; its close does, as the open would have: the row takes them from there, and only a row no open event made.
/// An open event sent before the connection's first TLS call names no attribution either: its close fills that in too.
/// </summary>
public sealed class FirstSeenRowTests
{
    private sealed record Row(string Opened_By, long Mid_Stream, string? Tls_Attribution);

    [Fact]
    public void A_connection_first_seen_by_its_bytes_takes_mid_stream_and_tls_attribution_from_its_close()
    {
        var rows = Write(Request(atNs: 2_000), Close(atNs: 5_000, midStream: 1, TlsAttribution.Thread));

        Assert.Equal(new Row("first_seen", 1, "thread"), Assert.Single(rows));
    }

    [Fact]
    public void A_second_close_that_knows_less_takes_nothing_back_from_a_first_seen_row()
    {
        var rows = Write(Request(atNs: 2_000), Close(atNs: 5_000, midStream: 1, TlsAttribution.Thread),
            Close(atNs: 6_000, midStream: 0, TlsAttribution.None));

        Assert.Equal(new Row("first_seen", 1, "thread"), Assert.Single(rows));
    }

    [Fact]
    public void A_close_changes_nothing_an_open_event_said()
    {
        var open = new ConnEvent
        {
            Header = WriterRun.Header(EventKind.ConnOpen, EventSource.Connect, atNs: 1_000), TlsAttribution = TlsAttribution.Syscall,
        };
        var rows = Write(WriterRun.Conn(open, "curl"), Request(atNs: 2_000), Close(atNs: 5_000, midStream: 1, TlsAttribution.SetFd));

        Assert.Equal(new Row("connect", 0, "syscall"), Assert.Single(rows));
    }

    [Fact]
    public void An_open_sent_before_any_tls_call_takes_its_tls_attribution_from_its_close()
    {
        // A proxy's client sends CONNECT in plaintext first: the open event goes out before any TLS call has named the
        // socket, and the close carries what the kernel tied the TLS calls by since. Its mid_stream stays the open's.
        var open = new ConnEvent { Header = WriterRun.Header(EventKind.ConnOpen, EventSource.Connect, atNs: 1_000) };
        var rows = Write(WriterRun.Conn(open, "curl"), Request(atNs: 2_000), Close(atNs: 5_000, midStream: 1, TlsAttribution.SetFd));

        Assert.Equal(new Row("connect", 0, "set_fd"), Assert.Single(rows));
    }

    private static List<Row> Write(params byte[][] samples)
    {
        using var run = new WriterRun();
        run.Write(samples);
        using var db = run.Open();
        return db.Query<Row>("SELECT opened_by, mid_stream, tls_attribution FROM connections ORDER BY id").ToList();
    }

    private static byte[] Request(ulong atNs) =>
        WriterRun.Data(WriterRun.Header(EventKind.Data, EventSource.Write, atNs), Direction.Egress, 0, "GET / HTTP/1.1\r\n\r\n");

    private static byte[] Close(ulong atNs, byte midStream, TlsAttribution attribution) => WriterRun.Conn(new ConnEvent
    {
        Header = WriterRun.Header(EventKind.ConnClose, EventSource.Close, atNs), BytesSent = 18, MidStream = midStream,
        TlsAttribution = attribution,
    }, "curl");
}
