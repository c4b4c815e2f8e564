using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.EndToEnd;

/// <summary>HTTP/2 from real peers, through the recorder and the analyzer, checked against what tshark
/// decodes from a tcpdump of the same traffic: h2c with prior knowledge (nghttpd, nghttp, h2load), h2 over
/// TLS (curl, with its TLS keys given to tshark), HPACK dynamic-table eviction (python3-h2) and gRPC.</summary>
[Collection(RecordingCollection.Name)]
public sealed class Http2RecordingTests
{
    private static string Request(JsonElement e) => $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()}";
    private static string Status(JsonElement e) => e.GetProperty("status").ToString();
    private static IEnumerable<JsonElement> Side(IEnumerable<JsonElement> exchanges, string side) =>
        exchanges.Where(e => e.GetProperty("side").GetString() == side);

    private static BackgroundProcess Nghttpd(string directory, int port, (string Cert, string Key)? tls = null)
    {
        var root = Directory.CreateDirectory(Path.Combine(directory, "h2root")).FullName;
        File.WriteAllText(Path.Combine(root, "a.txt"), "alpha\n");
        File.WriteAllText(Path.Combine(root, "b.txt"), new string('b', 40_000));
        string[] args = tls is { } t ? ["-d", root, port.ToString(), t.Key, t.Cert] : ["-d", root, "--no-tls", port.ToString()];
        var server = new BackgroundProcess("nghttpd", args);
        Peers.WaitForPort(port);
        return server;
    }

    private static void Run(string file, params string[] args)
    {
        var result = ProcessRunner.Run(file, args, TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"{file} {string.Join(' ', args)} failed: {result.Stderr}{result.Stdout}");
    }

    [Fact]
    public void H2c_from_nghttp_and_h2load_to_nghttpd_is_recorded_on_both_sides_as_tshark_decodes_it()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = Nghttpd(dir.Path, port);
        using var capture = new LoopbackCapture(dir.Path, port);
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());
        Run("nghttp", "-n", $"http://127.0.0.1:{port}/a.txt", $"http://127.0.0.1:{port}/b.txt", $"http://127.0.0.1:{port}/missing");
        Run("h2load", "-n", "12", "-c", "2", "-m", "3", $"http://127.0.0.1:{port}/a.txt");
        Thread.Sleep(300);
        recorder.Stop();
        var pcap = capture.Stop();

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        var (tsharkRequests, tsharkStatuses) = Tshark.Http2Messages(pcap, port);
        Assert.Equal(15, tsharkRequests.Count);
        foreach (var side in new[] { "client", "server" })
        {
            var seen = Side(exchanges, side).ToList();
            Assert.Equal(tsharkRequests.Order(), seen.Select(Request).Order());
            Assert.Equal(tsharkStatuses.Order(), seen.Select(Status).Order());
            Assert.All(seen, e =>
            {
                Assert.Equal("h2", e.GetProperty("protocol").GetString());
                Assert.Empty(e.GetProperty("flags").EnumerateArray());
                Assert.True(e.GetProperty("stream_id").GetInt32() % 2 == 1);
            });
        }
        Assert.Equal(["h2load", "nghttp"], Side(exchanges, "client").Select(e => e.GetProperty("comm").GetString()!).Distinct().Order());
        Assert.All(Side(exchanges, "server"), e => Assert.Equal("nghttpd", e.GetProperty("comm").GetString()));
        var big = Side(exchanges, "client").Single(e => e.GetProperty("path").GetString() == "/b.txt");
        Assert.Equal(40_000, big.GetProperty("resp_bytes").GetInt64());
    }

    [Fact]
    public void Curl_h2_over_tls_is_plaintext_http2_that_matches_what_tshark_decrypts()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        var keyLog = Path.Combine(dir.Path, "keys.log");
        using var server = Nghttpd(dir.Path, port, TlsPeers.SelfSignedCertificate(dir.Path));
        using var capture = new LoopbackCapture(dir.Path, port);
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());
        foreach (var path in new[] { "/a.txt", "/missing" })
        {
            var result = ProcessRunner.Run("env", [$"SSLKEYLOGFILE={keyLog}", "curl", "-sk", "--http2", "-o", "/dev/null", $"https://127.0.0.1:{port}{path}"]);
            Assert.Equal(0, result.ExitCode);
        }
        Thread.Sleep(300);
        recorder.Stop();
        var pcap = capture.Stop();

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        var (tsharkRequests, tsharkStatuses) = Tshark.Http2Messages(pcap, port, keyLog);
        Assert.Equal(["GET /a.txt", "GET /missing"], tsharkRequests.Order());
        var client = Side(exchanges, "client").ToList();
        Assert.Equal(tsharkRequests.Order(), client.Select(Request).Order());
        Assert.Equal(tsharkStatuses.Order(), client.Select(Status).Order());
        Assert.All(exchanges, e =>
        {
            Assert.True(e.GetProperty("tls").GetBoolean());
            Assert.Equal("h2", e.GetProperty("protocol").GetString());
            Assert.Equal($"127.0.0.1:{port}", e.GetProperty("host").GetString());
        });
        Assert.Equal(2, Side(exchanges, "server").Count());
    }

    [Fact]
    public void Large_repeated_headers_that_evict_hpack_entries_decode_to_the_values_tshark_sees()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = new BackgroundProcess("/usr/bin/python3", [Repo.Fixture("servers/h2_headers_server.py"), port.ToString()]);
        server.WaitForLine("ready", TimeSpan.FromSeconds(20));
        using var capture = new LoopbackCapture(dir.Path, port);
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());
        Run("nghttp", ["-n", .. Enumerable.Range(1, 7).Select(i => $"http://127.0.0.1:{port}/item/{i}")]);
        Thread.Sleep(300);
        recorder.Stop();
        var pcap = capture.Stop();

        var tshark = Tshark.Fields(pcap, port, "http2.type == 1", ["http2.header.name", "http2.header.value"])
            .SelectMany(p => p[0].Zip(p[1], (n, v) => $"{n}: {v}"))
            .Where(h => h.StartsWith("x-trace-")).ToList();
        Assert.Equal(7 * 8, tshark.Count);

        var ours = new List<string>();
        var ids = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port).Where(e => e.GetProperty("side").GetString() == "client")
            .Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(7, ids.Count);
        foreach (var id in ids)
        {
            var show = ProcessRunner.Run(Repo.AnalyzeBinary, [recorder.DbPath, "show", id.ToString(), "--json"]);
            var e = JsonDocument.Parse(show.Stdout).RootElement;
            Assert.Empty(e.GetProperty("flags").EnumerateArray());
            ours.AddRange(e.GetProperty("response_headers").EnumerateArray()
                .Select(h => $"{h[0].GetString()}: {h[1].GetString()}").Where(h => h.StartsWith("x-trace-")));
        }
        Assert.Equal(tshark.Order(), ours.Order());
    }

    [Fact]
    public void A_grpc_call_shows_its_service_method_status_and_message_on_both_sides()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = new BackgroundProcess("/usr/bin/python3", [Repo.Fixture("servers/grpc_peer.py"), "server", port.ToString()]);
        server.WaitForLine("ready", TimeSpan.FromSeconds(30));
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());
        var client = ProcessRunner.Run("/usr/bin/python3", [Repo.Fixture("servers/grpc_peer.py"), "client", port.ToString()], TimeSpan.FromSeconds(60));
        Assert.Equal("sku-1: reserved\nsku-2: NOT_FOUND sku-2 not found\n", client.Stdout);
        Thread.Sleep(300);
        recorder.Stop();

        var calls = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        foreach (var side in new[] { "client", "server" })
        {
            var seen = Side(calls, side).OrderBy(e => e.GetProperty("stream_id").GetInt32()).ToList();
            Assert.Equal(2, seen.Count);
            Assert.All(seen, e =>
            {
                Assert.Equal("POST /shop.Inventory/Reserve", Request(e));
                Assert.Equal("shop.Inventory", e.GetProperty("grpc").GetProperty("service").GetString());
                Assert.Equal("Reserve", e.GetProperty("grpc").GetProperty("method").GetString());
                Assert.Equal(1, e.GetProperty("grpc").GetProperty("request_messages").GetInt32());
            });
            Assert.Equal(0, seen[0].GetProperty("grpc").GetProperty("status").GetInt32());
            Assert.Equal(5, seen[1].GetProperty("grpc").GetProperty("status").GetInt32());
            Assert.Equal("sku-2 not found", seen[1].GetProperty("grpc").GetProperty("message").GetString());
        }
    }
}
