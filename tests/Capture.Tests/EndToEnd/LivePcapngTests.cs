using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.EndToEnd;

/// <summary>`record --pcapng FILE`: the synthetic packets of what was recorded and the real TCP
/// packets of the same connections, in one file that tshark and tcpdump read.</summary>
[Collection(RecordingCollection.Name)]
public sealed class LivePcapngTests
{
    [Fact]
    public void Https_recorded_live_has_the_decrypted_requests_beside_the_real_encrypted_packets_once_each()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = TlsPeers.Nginx(dir.Path, port);
        var pcapng = dir.File("live.pcapng");
        using var recorder = RecorderRun.Start(dir.Path, "--pcapng", pcapng, "--port", port.ToString());
        Peers.Curl("-k", "-o", "/dev/null", "-o", "/dev/null", $"https://127.0.0.1:{port}/hello", $"https://127.0.0.1:{port}/status/404");
        Peers.Curl("-k", "-o", "/dev/null", $"https://127.0.0.1:{port}/hello?again");
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());
        Assert.Matches(@"pcapng .*live\.pcapng: [\d,]+ packets \([\d,]+ real, 0 dropped by the packet ring, [\d,]+ of connections not recorded left out\)", recorder.Output);

        // The decrypted side: each request once in curl's view and once in nginx's.
        var requests = PacketTools.Tshark(pcapng, "http.request", ["http.request.uri", "frame.comment", "frame.interface_name"]);
        Assert.Equal(new[] { "/hello", "/hello", "/hello?again", "/hello?again", "/status/404", "/status/404" }, requests.Select(r => r[0]).Order());
        Assert.All(requests, r => Assert.Equal("capture-tls-plaintext", r[2]));
        Assert.Equal(3, requests.Count(r => r[1].Contains("comm=curl")));
        Assert.Equal(3, requests.Count(r => r[1].StartsWith($"pid={nginx.Pid} ") && r[1].Contains("comm=nginx")));
        Assert.Equal(Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port).Select(e => e.GetProperty("path").GetString()).Order(),
            requests.Select(r => r[0]).Order());

        // The real side: TLS on the real port, on loopback, each packet once (two connections: two SYNs, not four).
        Assert.Equal(2, PacketTools.TsharkCount(pcapng, $"tcp.port == {port} && tcp.flags.syn == 1 && tcp.flags.ack == 0"));
        Assert.True(PacketTools.TsharkCount(pcapng, $"tcp.port == {port} && tls.handshake.type == 1") == 2, "each connection's ClientHello once");
        Assert.All(PacketTools.Tshark(pcapng, $"tcp.port == {port}", ["frame.interface_name"]), r => Assert.Equal("lo", r[0]));
        // Only the recorded connections' real packets: none of another port.
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, $"!frame.comment && !(tcp.port == {port})"));
        AssertEachPacketOnce(pcapng, $"tcp.port == {port}");
        Assert.Equal(PacketTools.TsharkCount(pcapng, null), PacketTools.TcpdumpCount(pcapng));
    }

    [Fact]
    public void Http1_and_http2_cleartext_and_over_tls_recorded_live_without_port_have_each_request_once_per_side_and_only_recorded_connections_real_packets()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        using var servers = new Http2Servers(dir.Path);
        var (h2cPort, h2Port, h2c, h2) = (servers.CleartextPort, servers.TlsPort, servers.Cleartext, servers.Tls);
        int plainPort = Ports.Free();
        using var python = Peers.PythonServer("127.0.0.1", plainPort);
        var pcapng = dir.File("live.pcapng");
        // --no-redact: the real packets keep their payload, so that tshark can find each request on the wire too.
        using var recorder = RecorderRun.Start(dir.Path, "--pcapng", pcapng, "--no-redact");
        servers.MakeRequests();
        Peers.Curl("-o", "/dev/null", "-o", "/dev/null", $"http://127.0.0.1:{plainPort}/fast", $"http://127.0.0.1:{plainPort}/chunked");
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        var exchanges = Analyze.SlowestJson(recorder.DbPath);
        foreach (var (port, server, tls) in new[] { (h2cPort, h2c, "tls=0"), (h2Port, h2, "tls=1") })
        {
            // One HEADERS frame with a method per exchange the Analyzer reports, with the same paths and processes.
            var headers = PacketTools.Tshark(pcapng, $"http2.headers.method && {PacketTools.CommentOnPort(port)}", ["http2.headers.path", "frame.comment"])
                .SelectMany(r => r[0].Split(',').Select(path => (Path: path, Comment: r[1]))).ToList();
            var recorded = Analyze.OnPort(exchanges, port);
            Assert.Equal(recorded.Select(e => e.GetProperty("path").GetString()).Order(), headers.Select(h => h.Path).Order());
            Assert.Equal(recorded.Count(e => e.GetProperty("side").GetString() == "server"), headers.Count(h => h.Comment.StartsWith($"pid={server.Pid} ") && h.Comment.Contains("comm=nghttpd")));
            Assert.All(headers, h => Assert.Contains(tls, h.Comment));
        }
        Assert.Equal(3, Analyze.OnPort(exchanges, h2cPort).Count(e => e.GetProperty("side").GetString() == "client"));

        // HTTP/1.1 in plaintext: each request in curl's view and python's, and once on the wire (loopback not doubled).
        var http1 = PacketTools.Tshark(pcapng, $"http.request && {PacketTools.CommentOnPort(plainPort)}", ["http.request.uri", "frame.comment"]);
        Assert.Equal(Analyze.OnPort(exchanges, plainPort).Select(e => e.GetProperty("path").GetString()).Order(), http1.Select(r => r[0]).Order());
        Assert.Equal(["/chunked", "/fast"], http1.Where(r => r[1].Contains("comm=curl")).Select(r => r[0]).Order());
        Assert.Equal(["/chunked", "/fast"], http1.Where(r => r[1].StartsWith($"pid={python.Pid} ")).Select(r => r[0]).Order());
        Assert.Equal(2, PacketTools.TsharkCount(pcapng, $"!frame.comment && http.request && tcp.port == {plainPort}"));

        // Without --port the real packets are those of recorded connections, handshakes included: curl's and
        // nghttp's connections to the cleartext server, curl's to the TLS one, each SYN once.
        Assert.Equal(2, PacketTools.TsharkCount(pcapng, $"!frame.comment && tcp.port == {h2cPort} && tcp.flags.syn == 1 && tcp.flags.ack == 0"));
        Assert.Equal(1, PacketTools.TsharkCount(pcapng, $"!frame.comment && tcp.port == {h2Port} && tcp.flags.syn == 1 && tcp.flags.ack == 0"));
        var recordedPorts = RecordedPortPairs(recorder.DbPath);
        Assert.All(PacketTools.Tshark(pcapng, "!frame.comment", ["tcp.srcport", "tcp.dstport"]),
            r => Assert.Contains(Pair(int.Parse(r[0]), int.Parse(r[1])), recordedPorts));
        AssertEachPacketOnce(pcapng, "tcp");
        Assert.Equal(PacketTools.TsharkCount(pcapng, null), PacketTools.TcpdumpCount(pcapng));
    }

    /// <summary>No packet twice. The synthetic flows (TLS plaintext, commented) never resend. A real packet captured twice
    /// (loopback taken in both its directions) would make each one that carries data a retransmission of itself; but TCP
    /// itself may resend one on a busy machine (a tail-loss probe, once seen in CI), so of the real ones far fewer must be.</summary>
    private static void AssertEachPacketOnce(string pcapng, string filter)
    {
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, $"({filter}) && frame.comment && tcp.analysis.retransmission"));
        int carryingData = PacketTools.TsharkCount(pcapng, $"({filter}) && !frame.comment && tcp.len > 0");
        int resent = PacketTools.TsharkCount(pcapng, $"({filter}) && !frame.comment && tcp.analysis.retransmission");
        Assert.True(carryingData > 0, "no real packet carrying data");
        Assert.True(resent * 4 < carryingData, $"{resent} of {carryingData} real packets carrying data are retransmissions");
    }

    private static (int, int) Pair(int a, int b) => a < b ? (a, b) : (b, a);

    private static HashSet<(int, int)> RecordedPortPairs(string db)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection.Query<(long Local, long Remote)>("SELECT local_port, remote_port FROM connections")
            .Select(c => Pair((int)c.Local, (int)c.Remote)).ToHashSet();
    }

    [Fact]
    public void A_recorder_killed_mid_recording_leaves_a_pcapng_readable_up_to_its_last_packet()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = Peers.PythonServer("127.0.0.1", port);
        var pcapng = dir.File("live.pcapng");
        // --no-redact: the real packets keep their plaintext payload, which this test reads back.
        using var recorder = RecorderRun.Start(dir.Path, "--pcapng", pcapng, "--port", port.ToString(), "--no-redact");
        Peers.Curl("-o", "/dev/null", $"http://127.0.0.1:{port}/fast");
        // Packets reach the file after the delay buffer's hold (2 s); a kill -9 loses what is still held.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (PacketTools.TsharkCount(pcapng, "http.request") < 3 && DateTime.UtcNow < deadline) Thread.Sleep(250);
        recorder.Kill();

        Assert.Equal(2, PacketTools.TsharkCount(pcapng, "http.request && frame.comment contains \"comm=\"")); // curl's view and python's
        Assert.Equal(1, PacketTools.TsharkCount(pcapng, $"http.request && tcp.port == {port}")); // the real packet, plaintext here
        Assert.Equal(PacketTools.TsharkCount(pcapng, null), PacketTools.TcpdumpCount(pcapng));
    }
}
