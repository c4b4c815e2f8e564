using System.Text.Json;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.EndToEnd;

/// <summary>HTTPS from executables with OpenSSL linked into them (node): found in the ELF symbols
/// of running processes at start, and of programs started while recording, without configuration.</summary>
[Collection(RecordingCollection.Name)]
public sealed class StaticTlsRecordingTests
{
    [Fact]
    public void A_node_client_running_before_recording_began_is_recorded_in_plaintext_against_nginx()
    {
        using var scene = new NodeAndNginx();
        var (dir, port, nginx, node, gate) = scene;
        using var client = TlsPeers.NodeClient(node, gate, $"https://127.0.0.1:{port}/hello", $"https://127.0.0.1:{port}/status/404");
        client.WaitForLine("ready", TimeSpan.FromSeconds(30));
        using var recorder = RecorderRun.Start(dir.Path);
        File.WriteAllText(gate, "");
        Assert.Equal("200 hello over tls", client.WaitForLine("200", TimeSpan.FromSeconds(30)));
        client.WaitForLine("404", TimeSpan.FromSeconds(30));
        Assert.True(client.WaitForExit(TimeSpan.FromSeconds(30)));
        Thread.Sleep(300);
        recorder.Stop();

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(new[]
        {
            "client node GET /hello 200 tls=True", "client node GET /status/404 404 tls=True",
            "server nginx GET /hello 200 tls=True", "server nginx GET /status/404 404 tls=True",
        }, exchanges.Select(Analyze.DescribeTls).Order());
        AssertClientAndServerShareTheirConnections(exchanges, client.Pid, nginx.Pid);

        using var db = Open(recorder.DbPath);
        var probe = db.QuerySingle<(string Status, string Detail)>("SELECT status, detail FROM probes WHERE kind = 'uprobe' AND target = @target", new { target = $"{node}:SSL_write" });
        Assert.Equal("attached", probe.Status);
        Assert.Contains($"executable of pid {client.Pid}", probe.Detail);
        AssertNodeConnectionsAreTls(db, client.Pid);
    }

    [Fact]
    public void A_node_client_started_after_recording_began_is_probed_at_its_exec_and_recorded()
    {
        using var scene = new NodeAndNginx();
        var (dir, port, nginx, node, gate) = scene;
        using var recorder = RecorderRun.Start(dir.Path);
        using var client = TlsPeers.NodeClient(node, gate, $"https://127.0.0.1:{port}/hello");
        // Probes reach a program some tens of ms after its exec (the probes table says how many): a TLS call made
        // sooner is not seen. This client starts its request a second after it started, well clear of that; when it
        // raced the attach instead, a busy machine once lost the race in CI.
        Thread.Sleep(1000);
        File.WriteAllText(gate, "");
        Assert.Equal("200 hello over tls", client.WaitForLine("200", TimeSpan.FromSeconds(30)));
        Assert.True(client.WaitForExit(TimeSpan.FromSeconds(30)));
        Thread.Sleep(300);
        recorder.Stop();

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(new[] { "client node GET /hello 200 tls=True", "server nginx GET /hello 200 tls=True" }, exchanges.Select(Analyze.DescribeTls).Order());
        AssertClientAndServerShareTheirConnections(exchanges, client.Pid, nginx.Pid);

        using var db = Open(recorder.DbPath);
        var probe = db.QuerySingle<(string Status, string Detail)>("SELECT status, detail FROM probes WHERE kind = 'uprobe' AND target = @target", new { target = $"{node}:SSL_read" });
        Assert.Equal("attached", probe.Status);
        Assert.Contains($"exec of pid {client.Pid}", probe.Detail);
        Assert.Matches(@"attached \d+\.\d ms after the exec", probe.Detail);
        var info = db.Query<(string Key, string Value)>("SELECT key, value FROM run_info").ToDictionary(r => r.Key, r => r.Value);
        Assert.True(int.Parse(info["tls_exec_attaches"]) >= 1);
        Assert.True(double.Parse(info["tls_exec_attach_ms_max"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        AssertNodeConnectionsAreTls(db, client.Pid);
    }

    [Fact]
    public void Node_requests_in_flight_together_on_four_connections_of_one_thread_are_each_recorded_on_their_own()
    {
        // node encrypts into memory and writes the socket after SSL_write returns, interleaving the calls of all four
        // connections on its one thread: each request is tied to the socket the thread writes next. Tied to the socket
        // the thread used last instead, all four requests were once recorded on one connection.
        using var scene = new NodeAndNginx();
        var (dir, port, nginx, node, gate) = scene;
        string[] paths = ["/hello", "/status/404", "/first-missing", "/second-missing"];
        using var client = TlsPeers.NodeParallelClient(node, gate, [.. paths.Select(p => $"https://127.0.0.1:{port}{p}")]);
        client.WaitForLine("ready", TimeSpan.FromSeconds(30));
        using var recorder = RecorderRun.Start(dir.Path);
        File.WriteAllText(gate, "");
        Assert.True(client.WaitForExit(TimeSpan.FromSeconds(30)));
        Thread.Sleep(300);
        recorder.Stop();

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(paths.SelectMany(p => new[] { $"client node GET {p}", $"server nginx GET {p}" }).Order(),
            exchanges.Select(e => $"{e.GetProperty("side")} {e.GetProperty("comm")} {e.GetProperty("method")} {e.GetProperty("path")}").Order());
        AssertClientAndServerShareTheirConnections(exchanges, client.Pid, nginx.Pid);
        Assert.Equal(4, exchanges.Where(e => e.GetProperty("side").GetString() == "client").Select(e => e.GetProperty("connection_id").GetInt64()).Distinct().Count());

        using var db = Open(recorder.DbPath);
        Assert.Equal(["next_write"], db.Query<string>("SELECT DISTINCT tls_attribution FROM connections WHERE pid = @pid", new { pid = client.Pid }));
        Assert.Equal("0", db.ExecuteScalar<string>("SELECT value FROM run_info WHERE key = 'tls_writes_unbound'"));
    }

    [Fact]
    public void A_node_server_answering_connection_after_connection_records_each_on_its_own()
    {
        // node frees each connection's TLS object and its next connection's often takes the same address, while the old
        // socket's address goes to curl's next socket: a remembered socket is used only while it is still the one at
        // its fd in node's process. Without that check, a response was recorded on curl's end of the next connection.
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var node = TlsPeers.NodeServer(TlsPeers.PrivateNode(dir.Path), dir.Path, port);
        node.WaitForLine("listening", TimeSpan.FromSeconds(30));
        using var recorder = RecorderRun.Start(dir.Path);
        string[] paths = ["/one", "/two", "/three", "/four", "/five"];
        foreach (var path in paths)
            Assert.Equal($"node says {path}\n", Peers.Curl("-k", $"https://127.0.0.1:{port}{path}"));
        Thread.Sleep(300);
        recorder.Stop();

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(paths.SelectMany(p => new[] { $"client curl GET {p} 200 tls=True", $"server node GET {p} 200 tls=True" }).Order(),
            exchanges.Select(Analyze.DescribeTls).Order());
        foreach (var path in paths)
        {
            var client = exchanges.Single(e => e.GetProperty("side").GetString() == "client" && e.GetProperty("path").GetString() == path);
            var server = exchanges.Single(e => e.GetProperty("side").GetString() == "server" && e.GetProperty("path").GetString() == path);
            Assert.Equal(node.Pid, server.GetProperty("pid").GetInt32());
            Assert.Equal(client.GetProperty("local").GetString(), server.GetProperty("remote").GetString());
            Assert.Empty(server.GetProperty("flags").EnumerateArray());
        }
    }

    [Fact]
    public void A_tls_binary_that_cannot_be_probed_is_reported_and_the_recording_goes_on()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        var notElf = dir.File("notes.txt");
        File.WriteAllText(notElf, "not a program at all, just some text that is long enough to look at\n");
        int port = Ports.Free();
        using var server = Peers.PythonServer("127.0.0.1", port);
        using var recorder = RecorderRun.Start(dir.Path, "--tls-binary", "/usr/bin/true", "--tls-binary", notElf);
        Peers.Curl($"http://127.0.0.1:{port}/fast");
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        Assert.Equal(2, Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port).Count); // curl and python3
        using var db = Open(recorder.DbPath);
        var reports = db.Query<(string Target, string Status, string Detail)>("SELECT target, status, detail FROM probes WHERE name LIKE 'tls-binary %'")
            .ToDictionary(r => r.Target);
        Assert.Equal("missing", reports["/usr/bin/true"].Status);
        Assert.Contains("defines neither SSL_read/SSL_write", reports["/usr/bin/true"].Detail);
        Assert.Equal("missing", reports[notElf].Status);
        Assert.Contains("is not an ELF file", reports[notElf].Detail);
    }

    /// <summary>nginx over TLS, and a private copy of node with the gate file its client waits for.</summary>
    private sealed class NodeAndNginx : IDisposable
    {
        private readonly TempDir _dir;
        private readonly int _port = Ports.Free();
        private readonly BackgroundProcess _nginx;
        private readonly string _node;

        public NodeAndNginx()
        {
            Requires.RootAndBpf();
            _dir = new TempDir();
            _nginx = TlsPeers.Nginx(_dir.Path, _port);
            _node = TlsPeers.PrivateNode(_dir.Path);
        }

        public void Deconstruct(out TempDir dir, out int port, out BackgroundProcess nginx, out string node, out string gate) =>
            (dir, port, nginx, node, gate) = (_dir, _port, _nginx, _node, _dir.File("go"));

        public void Dispose()
        {
            _nginx.Dispose();
            _dir.Dispose();
        }
    }

    private static void AssertClientAndServerShareTheirConnections(List<JsonElement> exchanges, int clientPid, int serverPid)
    {
        foreach (var path in exchanges.Select(e => e.GetProperty("path").GetString()).Distinct())
        {
            var client = exchanges.Single(e => e.GetProperty("side").GetString() == "client" && e.GetProperty("path").GetString() == path);
            var server = exchanges.Single(e => e.GetProperty("side").GetString() == "server" && e.GetProperty("path").GetString() == path);
            Assert.Equal(clientPid, client.GetProperty("pid").GetInt32());
            Assert.Equal(serverPid, server.GetProperty("pid").GetInt32());
            // One connection seen from its two ends: the 5-tuples mirror each other.
            Assert.Equal(client.GetProperty("local").GetString(), server.GetProperty("remote").GetString());
            Assert.Equal(client.GetProperty("remote").GetString(), server.GetProperty("local").GetString());
            Assert.Empty(client.GetProperty("flags").EnumerateArray());
        }
    }

    private static void AssertNodeConnectionsAreTls(SqliteConnection db, int pid)
    {
        var connections = db.Query<(string Library, string Attribution)>("SELECT tls_library, tls_attribution FROM connections WHERE pid = @pid", new { pid }).ToList();
        Assert.NotEmpty(connections);
        Assert.All(connections, c => Assert.Equal("openssl", c.Library));
        Assert.All(connections, c => Assert.NotNull(c.Attribution));
        // The ciphertext on node's sockets never reached the db as if it were HTTP.
        Assert.Equal(0L, db.ExecuteScalar<long>("SELECT count(*) FROM chunks WHERE pid = @pid AND tls = 0", new { pid }));
    }

    private static SqliteConnection Open(string path)
    {
        var db = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
        db.Open();
        return db;
    }
}
