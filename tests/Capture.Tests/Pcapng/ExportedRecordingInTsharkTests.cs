using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Pcapng;

/// <summary>`analyze --export-pcapng` of recordings made to order, read back by tshark with no preferences changed:
/// Wireshark must find the exchanges the analyzer finds, in the direction and with the status it gives, and complain
/// about the TCP stream only where the recording itself has a hole. Needs tshark, not root.</summary>
public sealed class ExportedRecordingInTsharkTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private SyntheticRecording Recording(string name) => new(_dir.File(name + ".db"));

    private string Export(string db, params string[] extra)
    {
        var output = _dir.File(Path.GetFileNameWithoutExtension(db) + ".pcapng");
        Analyze.Output(db, ["--export-pcapng", output, .. extra]);
        return output;
    }

    private const string TcpComplaints = "tcp.analysis.flags && !tcp.analysis.window_update";

    [Fact]
    public void Two_threads_writing_one_socket_keep_the_stream_order_when_the_later_bytes_began_first()
    {
        // Thread A began writing the head at 2 ms and got the first stream bytes; thread B began writing the body at
        // 1 ms but the kernel put its bytes after A's (egress is stamped when the call began, positions when it ended).
        var rec = Recording("threads");
        rec.Connection("client", 10, "client", "10.0.0.1:40000", "10.0.0.2:80")
            .ClientSends(2, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
            .ClientSends(1, "0123456789")
            .ServerSends(3, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        var db = rec.Save();
        Assert.Equal(["POST /upload 201"], Analyze.ListJson(db).Select(e => $"{e.GetProperty("method")} {e.GetProperty("path")} {e.GetProperty("status")}"));

        var pcapng = Export(db);
        Assert.Equal(["POST\t/upload\t10"], PacketTools.Tshark(pcapng, "http.request", ["http.request.method", "http.request.uri", "http.content_length"]).Select(r => string.Join('\t', r)));
        Assert.Equal(["201\t/upload"], PacketTools.Tshark(pcapng, "http.response", ["http.response.code", "http.response_for.uri"]).Select(r => string.Join('\t', r.Select(f => f.Replace("http://x", "")))));
        Assert.Equal(1, PacketTools.TsharkCount(pcapng, "tcp.flags.syn == 1 && tcp.flags.ack == 0")); // it starts with its handshake
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, TcpComplaints));
        // Each packet keeps the time of its call.
        Assert.Equal(["2.000", "1.000", "3.000"], PacketTools.Tshark(pcapng, "tcp.len > 0", ["frame.time_epoch"])
            .Select(r => ((decimal.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture) - SyntheticRecording.Epoch.ToUnixTimeSeconds()) * 1000).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static string[] Listed(string db, params string[] where) =>
        [.. Analyze.ListJson(db, [.. where.SelectMany(w => new[] { "--where", w })]).Select(e => $"{e.GetProperty("path")} {e.GetProperty("status")}")];

    [Fact]
    public void A_time_window_exports_the_exchanges_that_begin_in_it_whole_and_no_part_of_the_others()
    {
        // /before's response comes inside the window, /inside's after it: the analyzer lists /inside with its 201.
        var rec = Recording("window");
        rec.Connection("client", 10, "client", "10.0.0.1:40000", "10.0.0.2:80")
            .ClientSends(1, "GET /before HTTP/1.1\r\nHost: x\r\n\r\n").ServerSends(15, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .ClientSends(20, "GET /inside HTTP/1.1\r\nHost: x\r\n\r\n").ServerSends(35, "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
            .ClientSends(40, "GET /after HTTP/1.1\r\nHost: x\r\n\r\n").ServerSends(41, "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok");
        var db = rec.Save();
        string[] window = ["since=03:04:05.010", "until=03:04:05.030"];
        Assert.Equal(["/inside 201"], Listed(db, window));

        var pcapng = Export(db, [.. window.SelectMany(w => new[] { "--where", w })]);
        Assert.Equal(["/inside"], PacketTools.Tshark(pcapng, "http.request", ["http.request.uri"]).Select(r => r[0]));
        Assert.Equal(["201\thttp://x/inside"], PacketTools.Tshark(pcapng, "http.response", ["http.response.code", "http.response_for.uri"]).Select(r => string.Join('\t', r)));
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, TcpComplaints));
    }

    [Fact]
    public void A_time_window_inside_an_http2_connection_keeps_what_wireshark_needs_to_decode_its_headers()
    {
        // The second request's header block names the first's :path, :authority and x-trace by their HPACK
        // dynamic-table index: decoding it takes the preface and every header block before it.
        var rec = Recording("h2-window");
        var first = new HpackBlock().Indexed(2).Indexed(7).Incremental(4, "/one").Incremental(1, "x.test").Incremental("x-trace", "abc");
        var again = new HpackBlock().Indexed(2).Indexed(7).Indexed(64).Indexed(63).Indexed(62);
        rec.Connection("client", 10, "client", "10.0.0.1:40000", "10.0.0.2:443", tlsLibrary: "openssl")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings(), Frames.Headers(1, first, endStream: true)))
            .ServerSends(2, Frames.Concat(Frames.Settings(), Frames.SettingsAck(), Frames.Headers(1, new HpackBlock().Indexed(8)), Frames.Data(1, "hello", endStream: true)))
            .ClientSends(11, Frames.Headers(3, again, endStream: true))
            .ServerSends(12, Frames.Headers(3, new HpackBlock().Indexed(13), endStream: true));
        var db = rec.Save();
        Assert.Equal(["/one 404"], Listed(db, "since=03:04:05.010"));

        var pcapng = Export(db, "--where", "since=03:04:05.010");
        var requests = PacketTools.Tshark(pcapng, "http2.headers.method", ["http2.streamid", "http2.headers.path", "http2.header.value"]);
        Assert.Contains(requests, r => r[0] == "3" && r[1] == "/one" && r[2].Split(',').Contains("abc"));
        Assert.Contains(PacketTools.Tshark(pcapng, "http2.headers.status", ["http2.streamid", "http2.headers.status"]), r => r[0] == "3" && r[1] == "404");
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, TcpComplaints));
    }

    [Fact]
    public void An_https_connection_through_a_proxy_shows_its_connect_exchange_and_its_decrypted_requests_not_its_tls_records()
    {
        // curl's connection to a proxy: CONNECT and the proxy's 200 in plaintext on the socket, then the TLS
        // handshake; the TLS library's plaintext is a stream of its own.
        var rec = Recording("proxy");
        var conn = rec.Connection("curl", 10, "client", "10.0.0.1:40000", "10.0.0.9:3128", tlsLibrary: "openssl");
        conn.Socket.ClientSends(1, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 200 Connection established\r\n\r\n")
            .ClientSends(3, [22, 3, 1, 0, 4, 1, 0, 0, 0])
            .ServerSends(4, [22, 3, 3, 0, 4, 2, 0, 0, 0]);
        conn.ClientSends(5, "GET /inside HTTP/1.1\r\nHost: example.com\r\n\r\n").ServerSends(6, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        var db = rec.Save();
        Assert.Equal(["CONNECT example.com:443 200", "GET example.com/inside 200"],
            Analyze.ListJson(db).Select(e => $"{e.GetProperty("method")} {e.GetProperty("host")}{e.GetProperty("path")} {e.GetProperty("status")}"));

        var pcapng = Export(db);
        Assert.Equal(["CONNECT\texample.com:443\tcapture-socket-plaintext", "GET\t/inside\tcapture-tls-plaintext"],
            PacketTools.Tshark(pcapng, "http.request", ["http.request.method", "http.request.uri", "frame.interface_name"]).Select(r => string.Join('\t', r)));
        Assert.Equal(["200\tcapture-socket-plaintext", "200\tcapture-tls-plaintext"],
            PacketTools.Tshark(pcapng, "http.response", ["http.response.code", "frame.interface_name"]).Select(r => string.Join('\t', r)));
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, "tls || ssl"));
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, TcpComplaints));
    }

    [Fact]
    public void A_connection_open_before_the_recording_has_the_client_the_analyzer_found_not_the_end_with_the_higher_port()
    {
        // The recorder joined it mid-way, so its role is unknown; its client's port (33000) is below the server's (50051).
        var rec = Recording("joined");
        rec.Connection("client", 10, "unknown", "10.0.0.1:33000", "10.0.0.2:50051", midStream: true)
            .ClientSends(1, "GET /joined HTTP/1.1\r\nHost: x\r\n\r\n").ServerSends(2, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        var db = rec.Save();
        Assert.Equal(["client"], Analyze.ListJson(db).Select(e => e.GetProperty("side").GetString()));

        var pcapng = Export(db);
        // The client sends the request from its own port, and each packet's comment names its side.
        Assert.Equal(["10.0.0.1\t33000\t/joined"], PacketTools.Tshark(pcapng, "http.request", ["ip.src", "tcp.srcport", "http.request.uri"]).Select(r => string.Join('\t', r)));
        Assert.All(PacketTools.Tshark(pcapng, null, ["frame.comment"]), r => Assert.EndsWith(" side=client", r[0]));
    }

    [Fact]
    public void A_connection_open_before_the_recording_shows_no_handshake_it_never_had_and_its_messages_are_still_dissected()
    {
        // Its stream positions count from where the recorder joined it: position 0 is not its first byte.
        var rec = Recording("midway");
        rec.Connection("client", 10, "unknown", "10.0.0.1:40000", "10.0.0.2:80", midStream: true)
            .ClientSends(1, "GET /joined HTTP/1.1\r\nHost: x\r\n\r\n").ServerSends(2, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .ClientSends(3, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n").ServerSends(4, "HTTP/1.1 204 No Content\r\n\r\n");
        var db = rec.Save();

        var pcapng = Export(db);
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, "tcp.flags.syn == 1"));
        Assert.Equal(["/joined", "/next"], PacketTools.Tshark(pcapng, "http.request", ["http.request.uri"]).Select(r => r[0]));
        Assert.Equal(["200\thttp://x/joined", "204\thttp://x/next"],
            PacketTools.Tshark(pcapng, "http.response", ["http.response.code", "http.response_for.uri"]).Select(r => string.Join('\t', r)));
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, TcpComplaints));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void After_an_http2_hole_that_ends_where_a_call_began_wireshark_finds_the_frames_again(bool capCut)
    {
        // HTTP/2 implementations write whole frames, so a lost call (a kernel drop) or the part of one the cap cut ends
        // at a frame boundary. (For a hole that ends inside a frame, see the test after this one.)
        var rec = Recording(capCut ? "h2-cap-cut" : "h2-lost-call");
        var lost = Frames.Concat(Frames.Headers(3, new HpackBlock().Indexed(8)), Frames.Data(3, new string('a', 1000), endStream: true));
        var conn = rec.Connection("client", 10, "client", "10.0.0.1:40000", "10.0.0.2:443", tlsLibrary: "openssl")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings(), Frames.Headers(1, new HpackBlock().Indexed(2).Indexed(7).Indexed(4).WithoutIndexing(1, "x"), endStream: true)))
            .ServerSends(2, Frames.Concat(Frames.Settings(), Frames.SettingsAck(), Frames.Headers(1, new HpackBlock().Indexed(8), endStream: true)))
            .ClientSends(3, Frames.Headers(3, new HpackBlock().Indexed(2).Indexed(7).Indexed(4).WithoutIndexing(1, "x"), endStream: true));
        if (capCut) conn.ServerSendsCapped(4, lost, captured: 30);
        else conn.ServerLoses(lost.Length);
        conn.ClientSends(5, Frames.Headers(5, new HpackBlock().Indexed(2).Indexed(7).Indexed(4).WithoutIndexing(1, "x"), endStream: true))
            .ServerSends(6, Frames.Headers(5, new HpackBlock().Indexed(13), endStream: true));
        var db = rec.Save();

        var pcapng = Export(db);
        Assert.Equal(1, PacketTools.TsharkCount(pcapng, "tcp.analysis.lost_segment"));
        Assert.Contains(PacketTools.Tshark(pcapng, "http2.headers.status", ["http2.streamid", "http2.headers.status"]), r => r[0] == "5" && r[1] == "404");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void After_an_http2_hole_that_ends_inside_a_frame_the_rest_of_that_frame_is_left_out_and_wireshark_reads_the_frames_after_it(
        bool elidedBefore, bool tailSentWithTheNextFrames)
    {
        // The server wrote stream 3's DATA frame in two calls and the first was lost: the bytes after the hole begin with
        // 500 octets of its payload, which Wireshark would read as the header of a 6 MB frame and wait for.
        var rec = Recording($"h2-tail-{elidedBefore}-{tailSentWithTheNextFrames}");
        var lost = Frames.Concat(Frames.Headers(3, new HpackBlock().Indexed(8)), Frames.Data(3, new string('a', 1000), endStream: true));
        var tail = lost[^500..];
        var next = Frames.Concat(Frames.Headers(5, new HpackBlock().Indexed(13)), Frames.Data(5, "gone", endStream: true));
        var conn = rec.Connection("client", 10, "client", "10.0.0.1:40000", "10.0.0.2:443", tlsLibrary: "openssl")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings(), Frames.Headers(1, new HpackBlock().Indexed(2).Indexed(7).Indexed(4).WithoutIndexing(1, "x"), endStream: true)))
            .ServerSends(2, Frames.Concat(Frames.Settings(), Frames.SettingsAck(), Frames.Headers(1, new HpackBlock().Indexed(8), endStream: true)));
        // A denied stream's frames before the hole shift the stream positions after it from the offsets the analysis counts.
        if (elidedBefore) conn.ServerElides(2.5, 40);
        conn.ClientSends(3, Frames.Headers(3, new HpackBlock().Indexed(2).Indexed(7).Indexed(4).WithoutIndexing(1, "x"), endStream: true))
            .ClientSends(4, Frames.Headers(5, new HpackBlock().Indexed(2).Indexed(7).Indexed(5).WithoutIndexing(1, "x"), endStream: true))
            .ServerLoses(lost.Length - tail.Length);
        if (tailSentWithTheNextFrames) conn.ServerSends(6, Frames.Concat(tail, next));
        else conn.ServerSends(5, tail).ServerSends(6, next);
        var db = rec.Save();

        var pcapng = Export(db);
        // One packet carries stream 5's HEADERS and DATA: tshark lists a field of each frame, comma-separated.
        Assert.Contains(PacketTools.Tshark(pcapng, "http2.headers.status", ["http2.streamid", "http2.headers.status"]), r => r[0] == "5,5" && r[1] == "404");
        Assert.Contains(PacketTools.Tshark(pcapng, "http2.data.data", ["http2.data.data"]), r => r[0] == Convert.ToHexStringLower("gone"u8));
        // The hole and the tail are one jump, and the packet after it says what of the capture it left out.
        var resumed = PacketTools.Tshark(pcapng, "tcp.analysis.lost_segment", ["frame.comment"]);
        Assert.Contains(" left_out=500 ", Assert.Single(resumed)[0]);
    }

    [Fact]
    public void A_response_the_cap_cut_is_a_hole_wireshark_sees_and_its_head_shows_once_body_reassembly_is_off()
    {
        var rec = Recording("capped");
        var head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
        rec.Connection("client", 10, "client", "10.0.0.1:40000", "10.0.0.2:80")
            .ClientSends(1, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            .ServerSendsCapped(2, System.Text.Encoding.ASCII.GetBytes(head + new string('a', 100000)), captured: 4096)
            .ClientSends(3, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n").ServerSends(4, "HTTP/1.1 204 No Content\r\n\r\n");
        var db = rec.Save();
        Assert.Equal(["/big 200 truncated", "/next 204 "], Analyze.ListJson(db).Select(e =>
            $"{e.GetProperty("path")} {e.GetProperty("status")} {string.Join(',', e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}"));

        var pcapng = Export(db);
        // Only the bytes the recording holds, and the jump over the rest where the next response begins.
        Assert.Equal(4096 + "HTTP/1.1 204 No Content\r\n\r\n".Length, PacketTools.Tshark(pcapng, "tcp.srcport == 8088", ["tcp.len"]).Sum(r => int.Parse(r[0])));
        Assert.Equal(["204"], PacketTools.Tshark(pcapng, "tcp.analysis.lost_segment", ["http.response.code"]).Select(r => r[0]));
        Assert.Equal(["204"], PacketTools.Tshark(pcapng, "http.response", ["http.response.code"]).Select(r => r[0]));
        Assert.Equal(["200", "204"], PacketTools.Tshark(pcapng, "http.response", ["http.response.code"], "http.desegment_body:FALSE").Select(r => r[0]));
    }
}
