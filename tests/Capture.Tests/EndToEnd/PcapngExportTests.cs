using Capture.Tests.Support;

namespace Capture.Tests.EndToEnd;

/// <summary>`analyze --export-pcapng` on real recordings: what a user opening the file in
/// Wireshark (here tshark, no preferences, no "Decode As") and tcpdump gets.</summary>
[Collection(RecordingCollection.Name)]
public sealed class PcapngExportTests
{
    /// <summary>The packets of one test's server: synthetic ports differ from the real ones, whose
    /// endpoints are in every packet's comment ("local=… remote=… side=…").</summary>
    private static string OnPort(int port) => $"frame.comment contains \":{port} \"";

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
        int h2cPort = Ports.Free(), h2Port = Ports.Free();
        var (cert, key) = TlsPeers.SelfSignedCertificate(dir.Path);
        using var h2c = new BackgroundProcess("nghttpd", ["-a", "127.0.0.1", "--no-tls", "-d", Repo.Fixture("servers"), h2cPort.ToString()]);
        using var h2 = new BackgroundProcess("nghttpd", ["-a", "127.0.0.1", "-d", Repo.Fixture("servers"), h2Port.ToString(), key, cert]);
        Peers.WaitForPort(h2cPort);
        Peers.WaitForPort(h2Port);
        // nghttpd sends its SETTINGS before it reads the client's preface: the kernel's HTTP check knows
        // that server preface, so both ends are recorded without --all-tcp.
        using var recorder = RecorderRun.Start(dir.Path);
        // curl 7.88 cannot reuse a prior-knowledge connection with nghttpd: one request per curl, and nghttp
        // for two streams on one connection (the second HEADERS needs the first's HPACK state).
        Peers.Curl("--http2-prior-knowledge", "-o", "/dev/null", $"http://127.0.0.1:{h2cPort}/missing");
        var nghttp = ProcessRunner.Run("nghttp", ["-n", $"http://127.0.0.1:{h2cPort}/http_test_server.py", $"http://127.0.0.1:{h2cPort}/keepalive_client.py"]);
        Assert.True(nghttp.ExitCode == 0, "nghttp failed: " + nghttp.Stderr);
        Peers.Curl("-k", "--http2", "-o", "/dev/null", $"https://127.0.0.1:{h2Port}/keepalive_client.py");
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
        Assert.Equal(PacketTools.TsharkCount(pcapng, null), PacketTools.TcpdumpCount(pcapng));

        // --pid keeps one process's packets: here nghttpd's (cleartext), whose view is the server's.
        var onlyServer = Export(recorder.DbPath, dir.File("server.pcapng"), "--pid", h2c.Pid.ToString());
        var comments = PacketTools.Tshark(onlyServer, null, ["frame.comment"]);
        Assert.NotEmpty(comments);
        Assert.All(comments, r => Assert.StartsWith($"pid={h2c.Pid} ", r[0]));
        Assert.Equal(3, PacketTools.Tshark(onlyServer, "http2.headers.method", ["http2.headers.method"]).Sum(r => r[0].Split(',').Length));
    }
}
