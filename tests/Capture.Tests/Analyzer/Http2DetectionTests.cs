using Capture.Hpack;
using System.Text.Json;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>HTTP/2 is found from the bytes, whatever the port: an h2c upgrade from HTTP/1.1, and a
/// connection the capture joined mid-way (no preface, HPACK state unknown).</summary>
public sealed class Http2DetectionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private List<JsonElement> List(string db)
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [db, "--list", "--json"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }

    private static byte[] Response(string status, string body, int stream) => Frames.Concat(
        Frames.Headers(stream, new HpackBlock().WithoutIndexing(":status", status).ToArray()),
        Frames.Data(stream, body, endStream: true));

    [Fact]
    public void An_h2c_upgrade_is_one_http2_exchange_answering_the_upgrading_request_then_streams_follow()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "upgrade.db"));
        var conn = rec.Connection("client", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080");
        conn.ClientSends(1, "GET /first HTTP/1.1\r\nHost: up.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n");
        conn.ServerSends(2, Frames.Concat("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"u8.ToArray(), Frames.Settings()));
        conn.ClientSends(3, Frames.Concat(Frames.Preface, Frames.Settings(), Frames.SettingsAck()));
        conn.ServerSends(9, Frames.Concat(Frames.SettingsAck(), Response("200", "first", 1)));
        conn.ClientSends(10, Frames.Headers(3, new HpackBlock().WithoutIndexing(":method", "GET").WithoutIndexing(":scheme", "http")
            .WithoutIndexing(":path", "/second").WithoutIndexing(":authority", "up.test").ToArray(), endStream: true));
        conn.ServerSends(14, Response("404", "nope", 3));
        var exchanges = List(rec.Save());

        Assert.Equal(["GET /first 200 stream 1", "GET /second 404 stream 3"],
            exchanges.Select(e => $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} {e.GetProperty("status")} stream {e.GetProperty("stream_id")}"));
        Assert.All(exchanges, e =>
        {
            Assert.Equal("h2", e.GetProperty("protocol").GetString());
            Assert.Equal("up.test", e.GetProperty("host").GetString());
            Assert.Empty(e.GetProperty("flags").EnumerateArray());
        });
        Assert.Equal(8.0, exchanges[0].GetProperty("duration_ms").GetDouble(), 3);
    }

    [Fact]
    public void An_upgrading_requests_body_is_stream_1s_request_bytes()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "upgrade-body.db"));
        var conn = rec.Connection("client", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080");
        conn.ClientSends(1, "POST /upload HTTP/1.1\r\nHost: up.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n" +
                            "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nContent-Length: 6\r\n\r\nabcdef");
        conn.ServerSends(2, Frames.Concat("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"u8.ToArray(), Frames.Settings()));
        conn.ClientSends(3, Frames.Concat(Frames.Preface, Frames.Settings(), Frames.SettingsAck()));
        conn.ServerSends(9, Frames.Concat(Frames.SettingsAck(), Response("201", "stored", 1)));

        var upload = Assert.Single(List(rec.Save()));
        Assert.Equal("POST /upload 201 req=6 resp=6", $"{upload.GetProperty("method").GetString()} {upload.GetProperty("path").GetString()} " +
            $"{upload.GetProperty("status")} req={upload.GetProperty("req_bytes")} resp={upload.GetProperty("resp_bytes")}");
    }

    [Fact]
    public void A_denied_h2c_upgrade_leaves_an_http2_connection_from_the_preface_on_without_stream_1()
    {
        // What the recorder stores for --deny '*/first': the upgrade request and its 101 as counts, stream 1's DATA
        // frame as a count, and stream 1 in denied_streams.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "denied-upgrade.db"));
        var conn = rec.Connection("client", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080");
        conn.ClientElides(1, 120);
        conn.ServerElides(2, 71).ServerSends(2, Frames.Settings());
        conn.ClientSends(3, Frames.Concat(Frames.Preface, Frames.Settings(), Frames.SettingsAck()));
        conn.ServerSends(9, Frames.Concat(Frames.SettingsAck(), Frames.Headers(1, new HpackBlock().WithoutIndexing(":status", "200").ToArray())));
        conn.ServerElides(9, 9 + "first".Length);
        conn.ClientSends(10, Frames.Headers(3, new HpackBlock().WithoutIndexing(":method", "GET").WithoutIndexing(":scheme", "http")
            .WithoutIndexing(":path", "/second").WithoutIndexing(":authority", "up.test").ToArray(), endStream: true));
        conn.ServerSends(14, Response("404", "nope", 3));
        conn.DenyStream(1);
        var exchanges = List(rec.Save());

        var only = Assert.Single(exchanges);
        Assert.Equal("GET /second 404 stream 3",
            $"{only.GetProperty("method").GetString()} {only.GetProperty("path").GetString()} {only.GetProperty("status")} stream {only.GetProperty("stream_id")}");
        Assert.Equal("h2", only.GetProperty("protocol").GetString());
        Assert.Empty(only.GetProperty("flags").EnumerateArray());
    }

    [Fact]
    public void A_connection_joined_mid_way_is_http2_with_unknown_hpack_state_flagged_and_the_side_inferred()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "mid.db"));
        // A server whose connection predates the recording: no preface; the client refers to a dynamic
        // table entry (index 62) the capture never saw.
        var conn = rec.Connection("server", 20, "unknown", "127.0.0.1:443", "127.0.0.1:51000", tlsLibrary: "openssl", midStream: true, serving: true);
        conn.ClientSends(1, Frames.Headers(7, new HpackBlock().Indexed(2).Indexed(62).WithoutIndexing(":path", "/later")
            .WithoutIndexing(":scheme", "https").ToArray(), endStream: true));
        conn.ServerSends(4, Response("204", "", 7));
        var exchange = Assert.Single(List(rec.Save()));

        Assert.Equal("server", exchange.GetProperty("side").GetString());
        Assert.Equal("GET /later", $"{exchange.GetProperty("method").GetString()} {exchange.GetProperty("path").GetString()}");
        Assert.Equal(204, exchange.GetProperty("status").GetInt32());
        Assert.True(exchange.GetProperty("tls").GetBoolean());
        Assert.Equal(["mid_stream", "hpack_context_lost"], exchange.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!));
    }

    [Fact]
    public void A_client_that_sends_a_byte_per_call_is_read_as_the_protocol_its_joined_bytes_begin()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "bytewise.db"));
        // "P" alone could begin the HTTP/2 preface; the calls after it make it a POST.
        var http1 = rec.Connection("client", 30, "client", "127.0.0.1:52000", "127.0.0.1:8080");
        foreach (var (c, i) in "POST /form HTTP/1.1\r\n".Select((c, i) => (c, i))) http1.ClientSends(1 + i * 0.01, c.ToString());
        http1.ClientSends(2, "Host: bytes.test\r\nContent-Length: 2\r\n\r\nhi");
        http1.ServerSends(3, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        // The preface a few octets at a time, then a request.
        var http2 = rec.Connection("client", 31, "client", "127.0.0.1:52001", "127.0.0.1:8080");
        byte[] start = Frames.Concat(Frames.Preface, Frames.Settings());
        for (int at = 0; at < start.Length; at += 5) http2.ClientSends(5 + at * 0.01, start[at..Math.Min(at + 5, start.Length)]);
        http2.ClientSends(6, Frames.Headers(1, new HpackBlock().WithoutIndexing(":method", "GET").WithoutIndexing(":scheme", "http")
            .WithoutIndexing(":path", "/h2").WithoutIndexing(":authority", "bytes.test").ToArray(), endStream: true));
        http2.ServerSends(7, Frames.Concat(Frames.Settings(), Frames.SettingsAck(), Response("200", "ok", 1)));

        Assert.Equal(["POST /form 201 http/1.1", "GET /h2 200 h2"], List(rec.Save()).Select(e =>
            $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} {e.GetProperty("status")} {e.GetProperty("protocol").GetString()}"));
    }

    [Fact]
    public void A_client_SETTINGS_partly_lost_leaves_the_servers_table_size_unknown_not_its_size_update_malformed()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "settingslost.db"));
        var conn = rec.Connection("client", 40, "client", "127.0.0.1:53000", "127.0.0.1:8080");
        // SETTINGS_HEADER_TABLE_SIZE = 16384, of which the last 3 octets were dropped.
        byte[] settings = Frames.Settings((1, 16384));
        conn.ClientSends(1, Frames.Concat(Frames.Preface, settings[..12])).ClientLoses(3);
        conn.ClientSends(2, Frames.Headers(1, new HpackBlock().WithoutIndexing(":method", "GET").WithoutIndexing(":scheme", "http")
            .WithoutIndexing(":path", "/big-table").WithoutIndexing(":authority", "s.test").ToArray(), endStream: true));
        conn.ServerSends(3, Frames.Concat(Frames.Settings(), Frames.SettingsAck(),
            Frames.Headers(1, new HpackBlock().SizeUpdate(16384).Indexed(8).ToArray(), endStream: true)));
        var exchange = Assert.Single(List(rec.Save()));

        Assert.Equal("/big-table 200", $"{exchange.GetProperty("path").GetString()} {exchange.GetProperty("status")}");
        Assert.DoesNotContain("malformed", exchange.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }
}
