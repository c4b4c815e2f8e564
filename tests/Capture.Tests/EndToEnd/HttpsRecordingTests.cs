using System.Text;
using System.Net.Http;
using System.Text.Json;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.EndToEnd;

/// <summary>HTTPS in plaintext: uprobes on the TLS libraries (OpenSSL, GnuTLS) found on this host,
/// each exchange attributed to its own connection, process and 5-tuple, with tls = true.</summary>
[Collection(RecordingCollection.Name)]
public sealed class HttpsRecordingTests
{
    [Fact]
    public void Curl_to_nginx_over_tls_1_3_and_1_2_is_recorded_in_plaintext_on_both_sides()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = TlsPeers.Nginx(dir.Path, port);
        using var recorder = RecorderRun.Start(dir.Path);
        Assert.Equal("hello over tls\n", Peers.Curl("-k", "--tlsv1.3", $"https://127.0.0.1:{port}/hello"));
        Peers.Curl("-k", "-o", "/dev/null", "--tlsv1.2", "--tls-max", "1.2", $"https://127.0.0.1:{port}/status/404");
        Thread.Sleep(300);
        recorder.Stop();

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(new[]
        {
            "client curl GET /hello 200 tls=True", "client curl GET /status/404 404 tls=True",
            "server nginx GET /hello 200 tls=True", "server nginx GET /status/404 404 tls=True",
        }, exchanges.Select(Analyze.DescribeTls).Order());
        foreach (var e in exchanges)
        {
            Assert.Empty(e.GetProperty("flags").EnumerateArray());
            Assert.InRange(e.GetProperty("duration_ms").GetDouble(), 0, 1000);
        }
        var client = exchanges.Single(e => Analyze.DescribeTls(e).StartsWith("client curl GET /hello"));
        var server = exchanges.Single(e => Analyze.DescribeTls(e).StartsWith("server nginx GET /hello"));
        // The same connection from its two ends: the 5-tuples mirror each other.
        Assert.Equal(client.GetProperty("local").GetString(), server.GetProperty("remote").GetString());
        Assert.Equal(client.GetProperty("remote").GetString(), server.GetProperty("local").GetString());
        Assert.Equal(nginx.Pid, server.GetProperty("pid").GetInt32());
        // The client's view includes the server's time: it cannot be shorter.
        Assert.True(client.GetProperty("duration_ms").GetDouble() >= server.GetProperty("duration_ms").GetDouble());

        using var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly");
        db.Open();
        var libraries = db.Query<(string Library, string Attribution)>(
            "SELECT tls_library, tls_attribution FROM connections WHERE local_port = @port OR remote_port = @port", new { port }).ToList();
        Assert.Equal(4, libraries.Count);
        // nginx and curl do their socket I/O inside SSL_read/SSL_write: no guessing by thread is needed.
        Assert.All(libraries, l => Assert.Equal("openssl", l.Library));
        Assert.All(libraries, l => Assert.Contains(l.Attribution, new[] { "syscall", "set_fd", "cache" }));
        // The encrypted bytes never reach the db: only TLS plaintext was recorded for these connections.
        Assert.Equal(0L, db.ExecuteScalar<long>(
            "SELECT count(*) FROM chunks JOIN connections c ON c.id = conn_id WHERE tls = 0 AND (c.local_port = @port OR c.remote_port = @port)", new { port }));
        // On SSL_write itself, or on the function SSL_write and SSL_write_ex share (OpenSslCallees).
        Assert.True(db.ExecuteScalar<long>("SELECT count(*) FROM probes WHERE kind = 'uprobe' AND status = 'attached' AND target GLOB '*libssl.so*:SSL_write*'") >= 1);
    }

    [Fact]
    public void Nginx_terminating_tls_in_front_of_a_plaintext_upstream_shows_both_hops_on_their_own_connections()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free(), upstreamPort = Ports.Free();
        using var upstream = Peers.PythonServer("127.0.0.1", upstreamPort);
        using var nginx = TlsPeers.Nginx(dir.Path, port, upstreamPort);
        using var recorder = RecorderRun.Start(dir.Path);
        Assert.Equal("ok", Peers.Curl("-k", $"https://127.0.0.1:{port}/api/fast"));
        Thread.Sleep(300);
        recorder.Stop();

        var all = Analyze.SlowestJson(recorder.DbPath);
        var front = Analyze.OnPort(all, port);
        var back = Analyze.OnPort(all, upstreamPort);
        Assert.Equal(new[] { "client curl GET /api/fast 200 tls=True", "server nginx GET /api/fast 200 tls=True" }, front.Select(Analyze.DescribeTls).Order());
        Assert.Equal(new[] { "client nginx GET /fast 200 tls=False", "server python3 GET /fast 200 tls=False" }, back.Select(Analyze.DescribeTls).Order());
        var connections = front.Concat(back).Select(e => e.GetProperty("connection_id").GetInt64()).Distinct().Count();
        Assert.Equal(4, connections);
        // The upstream hop happens inside the front hop's time, as nginx sees it.
        var nginxFront = front.Single(e => e.GetProperty("side").GetString() == "server");
        var nginxBack = back.Single(e => e.GetProperty("side").GetString() == "client");
        Assert.True(nginxFront.GetProperty("duration_ms").GetDouble() >= nginxBack.GetProperty("duration_ms").GetDouble());
    }

    [Fact]
    public void Openssl_s_client_and_gnutls_cli_are_captured_through_their_own_libraries()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = TlsPeers.Nginx(dir.Path, port);
        using var recorder = RecorderRun.Start(dir.Path);
        var openssl = ProcessRunner.Run("openssl", ["s_client", "-connect", $"127.0.0.1:{port}", "-quiet"],
            stdin: "GET /hello HTTP/1.1\r\nHost: openssl.test\r\nConnection: close\r\n\r\n");
        Assert.Contains("hello over tls", openssl.Stdout);
        var gnutls = ProcessRunner.Run("gnutls-cli", ["--insecure", "-p", port.ToString(), "127.0.0.1"],
            stdin: "GET /status/404 HTTP/1.1\r\nHost: gnutls.test\r\nConnection: close\r\n\r\n");
        Assert.Contains("404 Not Found", gnutls.Stdout);
        Thread.Sleep(300);
        recorder.Stop();

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(new[]
        {
            "client gnutls-cli GET /status/404 404 tls=True", "client openssl GET /hello 200 tls=True",
            "server nginx GET /hello 200 tls=True", "server nginx GET /status/404 404 tls=True",
        }, exchanges.Select(Analyze.DescribeTls).Order());
        using var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly");
        db.Open();
        Assert.Equal("gnutls", db.ExecuteScalar<string>("SELECT tls_library FROM connections WHERE comm = 'gnutls-cli' AND remote_port = @port", new { port }));
    }

    [Fact]
    public void An_nss_client_is_captured_through_nspr_and_its_file_io_is_not_taken_for_tls()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = TlsPeers.Nginx(dir.Path, port);
        using var recorder = RecorderRun.Start(dir.Path);
        // tstclnt (NSS's test client) reads the request from stdin and writes the response to
        // stdout, both through PR_Read/PR_Write: those calls must not show up as TLS plaintext.
        // It does not exit when the server closes, so it is stopped once the response is in.
        const string request = "GET /hello HTTP/1.1\r\nHost: nss.test\r\nConnection: close\r\n\r\n";
        using (var nss = new BackgroundProcess("tstclnt", ["-h", "127.0.0.1", "-p", port.ToString(), "-o", "-D"]))
        {
            nss.WriteInput(request);
            nss.WaitForLine("hello over tls", TimeSpan.FromSeconds(30));
        }
        Thread.Sleep(300);
        recorder.Stop();

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(new[] { "client tstclnt GET /hello 200 tls=True", "server nginx GET /hello 200 tls=True" },
            exchanges.Select(Analyze.DescribeTls).Order());
        Assert.All(exchanges, e => Assert.Empty(e.GetProperty("flags").EnumerateArray()));
        using var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly");
        db.Open();
        Assert.Equal("nss", db.ExecuteScalar<string>("SELECT tls_library FROM connections WHERE comm = 'tstclnt' AND remote_port = @port", new { port }));
        // The client moved exactly what nginx did, mirrored: no stdin or stdout bytes on top.
        var bytes = db.Query<(string Comm, long Direction, long Bytes)>("""
            SELECT c.comm, direction, sum(data_len) FROM chunks JOIN connections c ON c.id = conn_id
            WHERE tls = 1 AND (c.local_port = @port OR c.remote_port = @port) GROUP BY c.comm, direction
            """, new { port }).ToDictionary(r => (r.Comm, r.Direction), r => r.Bytes);
        Assert.Equal(Encoding.ASCII.GetByteCount(request), bytes[("tstclnt", 0)]);
        Assert.Equal(bytes[("nginx", 1)], bytes[("tstclnt", 0)]);
        Assert.Equal(bytes[("nginx", 0)], bytes[("tstclnt", 1)]);
    }

    [Fact]
    public async Task A_dotnet_HttpClient_goes_through_the_system_libssl_and_is_captured()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = TlsPeers.Nginx(dir.Path, port);
        using var recorder = RecorderRun.Start(dir.Path);
        using (var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
        using (var client = new HttpClient(handler))
        {
            Assert.Equal("hello over tls\n", await client.GetStringAsync($"https://127.0.0.1:{port}/hello"));
        }
        Thread.Sleep(300);
        recorder.Stop();

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        var dotnet = exchanges.Single(e => e.GetProperty("side").GetString() == "client");
        Assert.Equal(Environment.ProcessId, dotnet.GetProperty("pid").GetInt32());
        Assert.Equal("/hello", dotnet.GetProperty("path").GetString());
        Assert.Equal(200, dotnet.GetProperty("status").GetInt32());
        Assert.True(dotnet.GetProperty("tls").GetBoolean());
        Assert.Single(exchanges, e => Analyze.DescribeTls(e) == "server nginx GET /hello 200 tls=True");
    }
}
