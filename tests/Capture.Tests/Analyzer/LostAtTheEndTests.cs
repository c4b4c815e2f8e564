using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// Bytes the kernel dropped at the very end of a connection leave no later chunk to show a hole, so the exchange they
/// belonged to looked unanswered, or the request never sent. A plaintext connection's close says how many bytes each
/// direction held (connections.bytes_sent/bytes_received): what the recording lacks of them is a hole like any other,
/// and the exchanges that may have lain in it are flagged `gap`; a connection none of whose bytes were captured is one
/// such exchange. A connection whose counts match what was captured is unchanged, and a TLS connection's counts
/// (ciphertext) are never read as plaintext lost.
/// </summary>
public sealed class LostAtTheEndTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private static IEnumerable<string> Flags(string db) => Analyze.ListJson(db).Select(e =>
        $"{e.GetProperty("path").GetString()} {e.GetProperty("status")} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]");

    [Fact]
    public void An_http1_response_dropped_at_the_end_of_a_closed_connection_is_a_gap_not_a_server_that_never_answered()
    {
        var rec = new SyntheticRecording(_dir.File("h1.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /one HTTP/1.1\r\nHost: end.test\r\n\r\n").ServerSends(2, Ok)
            .ClientSends(3, "GET /two HTTP/1.1\r\nHost: end.test\r\n\r\n").ServerLoses(Ok.Length)
            .CloseCounting(5);

        Assert.Equal(["/one 200 []", "/two  [incomplete,gap]"], Flags(rec.Save()));
    }

    [Fact]
    public void A_connection_whose_close_counts_match_what_was_captured_is_unchanged()
    {
        var rec = new SyntheticRecording(_dir.File("whole.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /one HTTP/1.1\r\nHost: end.test\r\n\r\n").ServerSends(2, Ok)
            .ClientSends(3, "GET /two HTTP/1.1\r\nHost: end.test\r\n\r\n")
            .CloseCounting(5);

        Assert.Equal(["/one 200 []", "/two  [incomplete]"], Flags(rec.Save()));
    }

    [Fact]
    public void An_http2_stream_whose_response_was_dropped_at_the_end_is_a_gap()
    {
        byte[] Request(int stream, string path) => Frames.Headers(stream, new HpackBlock().WithoutIndexing(":method", "GET")
            .WithoutIndexing(":scheme", "http").WithoutIndexing(":path", path).WithoutIndexing(":authority", "end.test").ToArray(), endStream: true);
        byte[] Response(int stream) => Frames.Concat(Frames.Headers(stream, new HpackBlock().WithoutIndexing(":status", "200").ToArray()),
            Frames.Data(stream, "ok", endStream: true));
        var rec = new SyntheticRecording(_dir.File("h2.db"));
        rec.Connection("h2load", 20, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings(), Request(1, "/one"))).ServerSends(2, Frames.Concat(Frames.Settings(), Response(1)))
            .ClientSends(3, Request(3, "/two")).ServerLoses(Response(3).Length)
            .CloseCounting(5);

        Assert.Equal(["/one 200 []", "/two  [incomplete,gap]"], Flags(rec.Save()));
    }

    [Fact]
    public void A_connection_whose_every_byte_was_dropped_is_listed_as_one_exchange_flagged_gap()
    {
        // Only its close came through a full ring (the recorder's row opened_by close): nothing to parse, but bytes moved.
        var rec = new SyntheticRecording(_dir.File("lost-whole.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080").ClientLoses(40).ServerLoses(300).CloseCounting(5);

        var exchange = Assert.Single(Analyze.ListJson(rec.Save()));
        Assert.Equal("curl[10] client 127.0.0.1:50000 -> 127.0.0.1:8080 method= status= [no_request,gap]",
            $"{exchange.GetProperty("comm").GetString()}[{exchange.GetProperty("pid")}] {exchange.GetProperty("side").GetString()} " +
            $"{exchange.GetProperty("local").GetString()} -> {exchange.GetProperty("remote").GetString()} " +
            $"method={exchange.GetProperty("method").GetString()} status={exchange.GetProperty("status")} " +
            $"[{string.Join(",", exchange.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]");
    }

    [Fact]
    public void A_tls_connection_none_of_whose_plaintext_was_captured_is_listed_as_one_exchange_flagged_gap()
    {
        // Its counts are of ciphertext: they cannot say how much plaintext was lost, only that some was.
        var rec = new SyntheticRecording(_dir.File("tls-lost-whole.db"));
        var conn = rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8443", tlsLibrary: "openssl");
        conn.Socket.ClientLoses(600).ServerLoses(900);
        conn.Socket.CloseCounting(5);

        var exchange = Assert.Single(Analyze.ListJson(rec.Save()));
        Assert.Equal("tls=True [no_request,gap]",
            $"tls={exchange.GetProperty("tls").GetBoolean()} [{string.Join(",", exchange.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]");
    }

    [Fact]
    public void A_connection_that_moved_no_bytes_is_no_exchange()
    {
        var rec = new SyntheticRecording(_dir.File("idle.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080").CloseCounting(5);

        Assert.Empty(Analyze.ListJson(rec.Save()));
    }

    [Fact]
    public void A_tls_connections_counts_are_ciphertext_and_never_a_hole_in_its_plaintext()
    {
        var rec = new SyntheticRecording(_dir.File("tls.db"));
        var conn = rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8443", tlsLibrary: "openssl")
            .ClientSends(1, "GET /one HTTP/1.1\r\nHost: end.test\r\n\r\n").ServerSends(2, Ok);
        // The socket moved the TLS records, more bytes than the plaintext, which the recorder did not store.
        conn.Socket.ClientLoses(600).ServerLoses(900);
        conn.Socket.CloseCounting(5);

        Assert.Equal(["/one 200 []"], Flags(rec.Save()));
    }
}
