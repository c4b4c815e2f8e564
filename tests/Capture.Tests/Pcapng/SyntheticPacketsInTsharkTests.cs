using System.Net;
using Capture.Pcapng;
using Capture.Pcapng.Synthetic;
using Capture.Tests.Support;

namespace Capture.Tests.Pcapng;

/// <summary>Synthetic flows as Wireshark sees them with no preferences and no "Decode As":
/// HTTP/1.1 and HTTP/2 dissected whatever the real port, both views of a loopback connection kept
/// apart, checksums that pass validation. Needs tshark and tcpdump, not root.</summary>
public sealed class SyntheticPacketsInTsharkTests
{
    private static readonly IPAddress Lo = IPAddress.Loopback;

    private static void Exchange(PlaintextPacketWriter packets, RecordedConnection connection, ref long ts, byte[] request, byte[] response, long pos = 0)
    {
        bool client = connection.LocalIsClient;
        packets.Write(connection, new PlaintextChunk(connection.Id, ts++, 10, 11, 3, client ? "client" : "server", client, pos, request, true));
        packets.Write(connection, new PlaintextChunk(connection.Id, ts++, 10, 11, 3, client ? "client" : "server", !client, pos, response, true));
    }

    private static string WriteFile(TempDir dir, Action<PlaintextPacketWriter> body)
    {
        var path = dir.File("synthetic.pcapng");
        using (var writer = new PcapngWriter(File.Create(path), "test"))
        {
            var packets = new PlaintextPacketWriter(writer);
            body(packets);
            packets.Finish();
        }
        return path;
    }

    [Theory]
    [InlineData(443)]
    [InlineData(80)]
    [InlineData(8080)]
    public void Http1_and_http2_on_both_views_of_a_connection_are_dissected_without_decode_as(int realPort)
    {
        using var dir = new TempDir();
        var request = "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray();
        var response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray();
        byte[] settings = [0, 0, 0, 4, 0, 0, 0, 0, 0];
        byte[] get = [0, 0, 6, 1, 5, 0, 0, 0, 1, 0x82, 0x84, 0x86, 0x41, 0x01, (byte)'x']; // HEADERS: GET / http, :authority x
        byte[] ok = [0, 0, 1, 1, 5, 0, 0, 0, 1, 0x88]; // HEADERS: :status 200
        var path = WriteFile(dir, packets =>
        {
            long ts = 1_700_000_000_000_000_000;
            foreach (var (id, side, local, remote) in new[] { (1L, ConnectionSide.Client, 40000, realPort), (2L, ConnectionSide.Server, realPort, 40000) })
                Exchange(packets, new RecordedConnection(id, Lo, local, Lo, remote, side), ref ts, request, response);
            foreach (var (id, side, local, remote) in new[] { (3L, ConnectionSide.Client, 40001, realPort), (4L, ConnectionSide.Server, realPort, 40001) })
                Exchange(packets, new RecordedConnection(id, Lo, local, Lo, remote, side), ref ts, [.. SyntheticFlow.Http2Preface, .. settings, .. get], [.. settings, .. ok]);
        });

        var requests = PacketTools.Tshark(path, "http.request", ["http.request.uri", "frame.comment"]);
        Assert.Equal(["/one", "/one"], requests.Select(r => r[0]));
        Assert.Contains(requests, r => r[1].Contains("side=client") && r[1].Contains($"remote=127.0.0.1:{realPort} "));
        Assert.Contains(requests, r => r[1].Contains("side=server") && r[1].Contains($"local=127.0.0.1:{realPort} "));
        var methods = PacketTools.Tshark(path, "http2.headers.method", ["http2.headers.method", "http2.headers.path"]);
        Assert.Equal(["GET\t/", "GET\t/"], methods.Select(r => string.Join('\t', r)));
        Assert.Equal(0, PacketTools.TsharkCount(path, "tcp.analysis.retransmission || tcp.analysis.lost_segment || tcp.analysis.out_of_order"));
        int all = PacketTools.TsharkCount(path, null);
        Assert.Equal(all, PacketTools.TsharkCount(path, "tcp.checksum.status == 1 && ip.checksum.status == 1", "tcp.check_checksum:TRUE", "ip.check_checksum:TRUE"));
        Assert.Equal(all, PacketTools.TcpdumpCount(path));
    }

    [Fact]
    public void A_client_port_reused_by_a_later_connection_starts_a_new_conversation()
    {
        using var dir = new TempDir();
        var path = WriteFile(dir, packets =>
        {
            long ts = 1_700_000_000_000_000_000;
            foreach (var (id, uri) in new[] { (1L, "/first"), (2L, "/second") })
                Exchange(packets, new RecordedConnection(id, Lo, 40000, Lo, 443, ConnectionSide.Client), ref ts,
                    System.Text.Encoding.ASCII.GetBytes($"GET {uri} HTTP/1.1\r\nHost: x\r\n\r\n"), "HTTP/1.1 204 No Content\r\n\r\n"u8.ToArray());
        });
        Assert.Equal(["/first", "/second"], PacketTools.Tshark(path, "http.request", ["http.request.uri"]).Select(r => r[0]));
        Assert.Equal(2, PacketTools.TsharkCount(path, "http.response.code == 204"));
        Assert.Equal(2, PacketTools.Tshark(path, null, ["tcp.stream"]).Select(r => r[0]).Distinct().Count());
        Assert.Equal(0, PacketTools.TsharkCount(path, "tcp.analysis.retransmission || tcp.analysis.lost_segment"));
    }

    [Fact]
    public void Tls_ciphertext_recorded_as_socket_bytes_is_left_out_and_the_plaintext_kept()
    {
        using var dir = new TempDir();
        var path = WriteFile(dir, packets =>
        {
            var c = new RecordedConnection(1, Lo, 40000, Lo, 443, ConnectionSide.Client);
            byte[] clientHello = [22, 3, 1, 0, 4, 1, 0, 0, 0];
            packets.Write(c, new PlaintextChunk(1, 1, 1, 1, 3, "curl", true, 0, clientHello, Tls: false));
            packets.Write(c, new PlaintextChunk(1, 2, 1, 1, 3, "curl", true, 0, "GET /p HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), Tls: true));
            packets.Write(c, new PlaintextChunk(1, 3, 1, 1, 3, "curl", true, 9, new byte[] { 23, 3, 3, 0, 1, 0 }, Tls: false));
        });
        Assert.Equal(["capture-tls-plaintext"], PacketTools.Tshark(path, "tcp.len > 0", ["frame.interface_name"]).Select(r => r[0]));
        Assert.Equal(1, PacketTools.TsharkCount(path, "http.request"));
    }

    [Fact]
    public void A_tunnel_request_is_kept_apart_from_the_tls_plaintext_when_the_writer_learns_of_tls_only_after_it()
    {
        // record --pcapng: the CONNECT and the handshake arrive before any TLS plaintext says the connection is TLS.
        using var dir = new TempDir();
        var path = WriteFile(dir, packets =>
        {
            var c = new RecordedConnection(1, Lo, 40000, Lo, 3128, ConnectionSide.Client);
            var connect = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"u8.ToArray();
            var established = "HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray();
            packets.Write(c, new PlaintextChunk(1, 1, 1, 1, 3, "curl", true, 0, connect, Tls: false));
            packets.Write(c, new PlaintextChunk(1, 2, 1, 1, 3, "curl", false, 0, established, Tls: false));
            packets.Write(c, new PlaintextChunk(1, 3, 1, 1, 3, "curl", true, connect.Length, new byte[] { 22, 3, 1, 0, 4, 1, 0, 0, 0 }, Tls: false));
            packets.Write(c, new PlaintextChunk(1, 4, 1, 1, 3, "curl", false, established.Length, new byte[] { 22, 3, 3, 0, 4, 2, 0, 0, 0 }, Tls: false));
            packets.Write(c, new PlaintextChunk(1, 5, 1, 1, 3, "curl", true, 0, "GET /p HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), Tls: true));
            packets.Write(c, new PlaintextChunk(1, 6, 1, 1, 3, "curl", false, 0, "HTTP/1.1 204 No Content\r\n\r\n"u8.ToArray(), Tls: true));
        });
        Assert.Equal(["CONNECT", "GET"], PacketTools.Tshark(path, "http.request", ["http.request.method"]).Select(r => r[0]));
        Assert.Equal(["200", "204"], PacketTools.Tshark(path, "http.response", ["http.response.code"]).Select(r => r[0]));
        Assert.Equal(2, PacketTools.Tshark(path, null, ["tcp.stream"]).Select(r => r[0]).Distinct().Count());
        Assert.Equal(0, PacketTools.TsharkCount(path, "tls || tcp.analysis.flags"));
    }

    [Fact]
    public void A_gap_in_the_recorded_stream_shows_as_a_segment_wireshark_did_not_see()
    {
        using var dir = new TempDir();
        var path = WriteFile(dir, packets =>
        {
            var c = new RecordedConnection(1, IPAddress.IPv6Loopback, 40000, IPAddress.IPv6Loopback, 443, ConnectionSide.Client);
            packets.Write(c, new PlaintextChunk(1, 1, 1, 1, 3, "curl", true, 0, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), true));
            packets.Write(c, new PlaintextChunk(1, 2, 1, 1, 3, "curl", true, 5000, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), true));
        });
        Assert.Equal(1, PacketTools.TsharkCount(path, "tcp.analysis.lost_segment"));
        Assert.Equal(2, PacketTools.TsharkCount(path, "ipv6 && http.request"));
    }
}
