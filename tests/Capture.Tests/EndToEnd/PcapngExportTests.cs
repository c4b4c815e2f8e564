using Capture.Tests.Support;

namespace Capture.Tests.EndToEnd;

/// <summary>`analyze --export-pcapng` on real recordings: what a user opening the file in
/// Wireshark (here tshark, no preferences, no "Decode As") and tcpdump gets.</summary>
[Collection(RecordingCollection.Name)]
public sealed class PcapngExportTests
{
    private static string OnPort(int port) => PacketTools.CommentOnPort(port);

    /// <summary>The paths of HTTP/2 requests in packets whose comment contains <paramref name="who"/>;
    /// one packet may carry several HEADERS frames (tshark joins their values with commas).</summary>
    private static List<string> Paths(List<string[]> rows, string who) =>
        rows.Where(r => r[1].Contains(who)).SelectMany(r => r[0].Split(',')).ToList();

    private static string Export(string db, string output, params string[] extra)
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [db, "--export-pcapng", output, .. extra]);
        Assert.True(result.ExitCode == 0, $"analyze --export-pcapng failed ({result.ExitCode}): {result.Stderr}");
        Assert.Matches(@"^wrote .*: [\d,]+ packets", result.Stdout);
        return output;
    }

    [Fact]
    public void Http_and_https_exchanges_are_dissected_as_http_each_naming_its_process()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int plainPort = Ports.Free(), tlsPort = Ports.Free();
        using var python = Peers.PythonServer("127.0.0.1", plainPort);
        using var nginx = TlsPeers.Nginx(dir.Path, tlsPort);
        using var recorder = RecorderRun.Start(dir.Path);
        Peers.Curl("-o", "/dev/null", "-o", "/dev/null", $"http://127.0.0.1:{plainPort}/fast", $"http://127.0.0.1:{plainPort}/chunked");
        Peers.Curl("-X", "POST", "--data-binary", "pcapng-body", $"http://127.0.0.1:{plainPort}/echo");
        Peers.Curl("-k", "-o", "/dev/null", "-o", "/dev/null", $"https://127.0.0.1:{tlsPort}/hello", $"https://127.0.0.1:{tlsPort}/status/404");
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());
        var pcapng = Export(recorder.DbPath, dir.File("out.pcapng"));

        var all = Analyze.SlowestJson(recorder.DbPath);
        foreach (var (port, server, serverPid, paths) in new[]
                 {
                     (plainPort, "python3", python.Pid, new[] { "/fast", "/chunked", "/echo" }),
                     (tlsPort, "nginx", nginx.Pid, new[] { "/hello", "/status/404" }),
                 })
        {
            var requests = PacketTools.Tshark(pcapng, $"http.request && {OnPort(port)}", ["http.request.uri", "frame.comment"]);
            var exchanges = Analyze.OnPort(all, port);
            // One request per side: curl's view and the server's, as the Analyzer reports them.
            Assert.Equal(exchanges.Count, requests.Count);
            Assert.Equal(paths.Concat(paths).Order(), requests.Select(r => r[0]).Order());
            Assert.Equal(exchanges.Select(e => e.GetProperty("path").GetString()).Order(), requests.Select(r => r[0]).Order());
            Assert.Equal(paths.Length, requests.Count(r => r[1].Contains("comm=curl") && r[1].Contains("side=client")));
            Assert.Equal(paths.Length, requests.Count(r => r[1].Contains($"comm={server}") && r[1].Contains($"pid={serverPid} ") && r[1].Contains("side=server")));
            Assert.Equal(2 * paths.Length, PacketTools.TsharkCount(pcapng, $"http.response && {OnPort(port)}"));
        }
        Assert.All(PacketTools.Tshark(pcapng, $"http.request && {OnPort(tlsPort)}", ["frame.comment", "frame.interface_name"]), r =>
        {
            Assert.Contains("tls=1", r[0]);
            Assert.Equal("capture-tls-plaintext", r[1]);
        });
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, "tcp.analysis.retransmission || tcp.analysis.lost_segment"));
        Assert.Equal(PacketTools.TsharkCount(pcapng, null), PacketTools.TcpdumpCount(pcapng));
    }

    [Fact]
    public void Http2_over_cleartext_and_tls_is_dissected_without_decode_as_and_filters_narrow_the_export()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        using var servers = new Http2Servers(dir.Path);
        var (h2cPort, h2Port, h2c, h2) = (servers.CleartextPort, servers.TlsPort, servers.Cleartext, servers.Tls);
        using var recorder = RecorderRun.Start(dir.Path);
        servers.MakeRequests();
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());
        var pcapng = Export(recorder.DbPath, dir.File("out.pcapng"));

        var h2cHeaders = PacketTools.Tshark(pcapng, $"http2.headers.method && {OnPort(h2cPort)}", ["http2.headers.path", "frame.comment"]);
        Assert.Equal(["/missing"], Paths(h2cHeaders, "comm=curl"));
        Assert.Equal(["/http_test_server.py", "/keepalive_client.py"], Paths(h2cHeaders, "comm=nghttp "));
        Assert.Equal(["/http_test_server.py", "/keepalive_client.py", "/missing"], Paths(h2cHeaders, $"pid={h2c.Pid} ").Order());
        Assert.All(h2cHeaders.Where(r => r[1].Contains($"pid={h2c.Pid} ")), r => Assert.Contains("comm=nghttpd", r[1]));
        var statuses = PacketTools.Tshark(pcapng, $"http2.headers.status && {OnPort(h2cPort)}", ["http2.headers.status"]).SelectMany(r => r[0].Split(','));
        Assert.Equal(["200", "200", "200", "200", "404", "404"], statuses.Order()); // each response, seen by its client and by nghttpd
        var h2Headers = PacketTools.Tshark(pcapng, $"http2.headers.method && {OnPort(h2Port)}", ["http2.headers.path", "frame.comment"]);
        Assert.Equal(["/keepalive_client.py"], Paths(h2Headers, "comm=curl"));
        Assert.Equal(["/keepalive_client.py"], Paths(h2Headers, $"pid={h2.Pid} "));
        Assert.All(h2Headers, r => Assert.Contains("tls=1", r[1]));
        var all = Analyze.SlowestJson(recorder.DbPath);
        foreach (var (port, headers) in new[] { (h2cPort, h2cHeaders), (h2Port, h2Headers) }) // one HEADERS with a method per exchange
            Assert.Equal(Analyze.OnPort(all, port).Select(e => e.GetProperty("path").GetString()).Order(), Paths(headers, "pid=").Order());
        Assert.Equal(PacketTools.TsharkCount(pcapng, null), PacketTools.TcpdumpCount(pcapng));

        // --pid keeps one process's packets: here nghttpd's (cleartext), whose view is the server's.
        var onlyServer = Export(recorder.DbPath, dir.File("server.pcapng"), "--pid", h2c.Pid.ToString());
        var comments = PacketTools.Tshark(onlyServer, null, ["frame.comment"]);
        Assert.NotEmpty(comments);
        Assert.All(comments, r => Assert.StartsWith($"pid={h2c.Pid} ", r[0]));
        Assert.Equal(3, PacketTools.Tshark(onlyServer, "http2.headers.method", ["http2.headers.method"]).Sum(r => r[0].Split(',').Length));
    }

    [Fact]
    public void Where_exports_the_connections_with_a_matching_exchange_and_its_time_window_cuts_their_packets()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = Peers.PythonServer("127.0.0.1", port);
        using var recorder = RecorderRun.Start(dir.Path);
        var go = dir.File("go");
        // One keep-alive connection: /fast, a pause with the window's edge in it, then /chunked.
        using (var client = new BackgroundProcess("/usr/bin/python3", [Repo.Fixture("servers/keepalive_client.py"), "127.0.0.1", port.ToString(), go, "/chunked"]))
        {
            client.WaitForLine("connected", TimeSpan.FromSeconds(15));
            Thread.Sleep(1000);
            var edge = DateTimeOffset.UtcNow;
            Thread.Sleep(1000);
            File.WriteAllText(go, "");
            client.WaitForLine("done", TimeSpan.FromSeconds(15));
            Peers.Curl("-o", "/dev/null", $"http://127.0.0.1:{port}/status/404"); // a connection of its own, after the edge
            Thread.Sleep(300);
            Assert.Equal(0, recorder.Stop());

            string since = $"since={edge.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}", until = $"until={edge.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}";
            foreach (var (where, paths) in new[]
                     {
                         (since, new[] { "/chunked", "/status/404" }),
                         (until, new[] { "/fast" }),
                         ("path=/chunked", new[] { "/fast", "/chunked" }), // the whole connection: its /fast too
                         ($"path=/status/* and {since}", new[] { "/status/404" }),
                     })
            {
                var pcapng = Export(recorder.DbPath, dir.File("where.pcapng"), "--where", where);
                var requests = PacketTools.Tshark(pcapng, $"http.request && {OnPort(port)}", ["http.request.uri"]).Select(r => r[0]).ToList();
                Assert.Equal(paths.Concat(paths).Order(), requests.Order()); // curl's or python's view and the server's
                if (!where.Contains('/'))
                    Assert.Equal(Analyze.OnPort(Analyze.ListJson(recorder.DbPath, "--where", where), port).Count, requests.Count);
                var times = PacketTools.Tshark(pcapng, OnPort(port), ["frame.time_epoch"]).Select(r => decimal.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture));
                decimal edgeSeconds = edge.ToUnixTimeMilliseconds() / 1000m;
                if (where == since) Assert.All(times, t => Assert.True(t >= edgeSeconds - 0.001m, $"a packet at {t} before the window's start {edgeSeconds}"));
                if (where == until) Assert.All(times, t => Assert.True(t <= edgeSeconds + 0.001m, $"a packet at {t} after the window's end {edgeSeconds}"));
                Assert.Equal(PacketTools.TsharkCount(pcapng, null), PacketTools.TcpdumpCount(pcapng));
            }
        }

        // A condition no exchange meets exports an empty file that readers still open; a bad one is one line.
        var none = Export(recorder.DbPath, dir.File("none.pcapng"), "--where", "status=599");
        Assert.Equal(0, PacketTools.TsharkCount(none, null));
        var bad = ProcessRunner.Run(Repo.AnalyzeBinary, [recorder.DbPath, "--export-pcapng", dir.File("bad.pcapng"), "--where", "colour=red"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("analyze: --where colour=red: unknown field", bad.Stderr);
        Assert.Single(bad.Stderr.Trim().Split('\n'));
    }
}
