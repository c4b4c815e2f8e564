using System.Globalization;
using System.Text.Json;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.EndToEnd;

/// <summary>The first slice, end to end: real servers and curl on loopback, recorded by the real
/// recorder (BPF loaded as root), then read back through `analyze --json`.</summary>
[Collection(RecordingCollection.Name)]
public sealed class PlaintextHttpRecordingTests
{
    private static string Key(JsonElement e) =>
        $"{e.GetProperty("side").GetString()} {e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} {e.GetProperty("status")}";

    [Fact]
    public void Python_server_and_curl_exchanges_are_recorded_on_both_sides_with_paths_statuses_and_durations()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = Peers.PythonServer("127.0.0.1", port);
        using var recorder = RecorderRun.Start(dir.Path);

        var url = $"http://127.0.0.1:{port}";
        // One keep-alive connection for three requests, then a POST and a 404 on their own connections.
        var timings = Peers.Curl("-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{url_effective} %{time_pretransfer} %{time_total}\\n",
            $"{url}/fast", $"{url}/slow?ms=300", $"{url}/chunked");
        var echoed = Peers.Curl("-X", "POST", "--data-binary", "capture-body-123", "-H", "Content-Type: text/plain", $"{url}/echo");
        Assert.Equal("capture-body-123", echoed);
        Peers.Curl("-o", "/dev/null", "-H", "Connection: close", $"{url}/missing");
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        var expected = new[]
        {
            "client GET /fast 200", "client GET /slow?ms=300 200", "client GET /chunked 200", "client POST /echo 200", "client GET /missing 404",
            "server GET /fast 200", "server GET /slow?ms=300 200", "server GET /chunked 200", "server POST /echo 200", "server GET /missing 404",
        };
        Assert.Equal(expected.Order(), exchanges.Select(Key).Order());

        foreach (var e in exchanges)
        {
            Assert.Equal("http/1.1", e.GetProperty("protocol").GetString());
            Assert.False(e.GetProperty("tls").GetBoolean());
            Assert.Empty(e.GetProperty("flags").EnumerateArray());
            Assert.Equal(e.GetProperty("side").GetString() == "client" ? "curl" : "python3", e.GetProperty("comm").GetString());
            Assert.Equal($"127.0.0.1:{port}", e.GetProperty("host").GetString());
        }
        // The truth for the client side is what curl itself measured for that transfer.
        var curlSlow = timings.Split('\n').Single(l => l.Contains("/slow")).Split(' ');
        double curlMs = (double.Parse(curlSlow[2], CultureInfo.InvariantCulture) - double.Parse(curlSlow[1], CultureInfo.InvariantCulture)) * 1000;
        var clientSlow = exchanges.Single(e => Key(e) == "client GET /slow?ms=300 200");
        Assert.InRange(clientSlow.GetProperty("duration_ms").GetDouble(), curlMs - 5, curlMs + 5);
        var serverSlow = exchanges.Single(e => Key(e) == "server GET /slow?ms=300 200");
        Assert.InRange(serverSlow.GetProperty("duration_ms").GetDouble(), 300, clientSlow.GetProperty("duration_ms").GetDouble());
        foreach (var slow in new[] { clientSlow, serverSlow })
            Assert.InRange(slow.GetProperty("ttfb_ms").GetDouble(), 300, slow.GetProperty("duration_ms").GetDouble());
        foreach (var fast in exchanges.Where(e => e.GetProperty("path").GetString() == "/fast"))
            Assert.InRange(fast.GetProperty("duration_ms").GetDouble(), 0, 40);

        var post = exchanges.Single(e => Key(e) == "server POST /echo 200");
        Assert.True(post.GetProperty("req_bytes").GetInt64() > "capture-body-123".Length);
        // The slowest comes first in --slowest.
        var all = Analyze.SlowestJson(recorder.DbPath, 2);
        Assert.All(all, e => Assert.True(e.GetProperty("duration_ms").GetDouble() >= 300));
    }

    [Fact]
    public void Nginx_over_ipv6_and_ipv4_is_attributed_to_nginx_and_curl_with_the_right_5_tuple()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        using var recorder = RecorderRun.Start(dir.Path);

        Assert.Equal("hello from nginx\n", Peers.Curl("-g", $"http://[::1]:{port}/hello"));
        Peers.Curl("-o", "/dev/null", $"http://127.0.0.1:{port}/status/503");
        Thread.Sleep(300);
        recorder.Stop();

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(new[] { "client GET /hello 200", "client GET /status/503 503", "server GET /hello 200", "server GET /status/503 503" },
            exchanges.Select(Key).Order());
        var v6Server = exchanges.Single(e => Key(e) == "server GET /hello 200");
        Assert.Equal("nginx", v6Server.GetProperty("comm").GetString());
        Assert.Equal($"[::1]:{port}", v6Server.GetProperty("local").GetString());
        Assert.StartsWith("[::1]:", v6Server.GetProperty("remote").GetString());
        Assert.Equal(nginx.Pid, v6Server.GetProperty("pid").GetInt32());
        var v4Client = exchanges.Single(e => Key(e) == "client GET /status/503 503");
        Assert.Equal($"127.0.0.1:{port}", v4Client.GetProperty("remote").GetString());
        Assert.Equal("curl", v4Client.GetProperty("comm").GetString());
    }

    [Fact]
    public void A_connection_open_before_recording_began_is_still_recorded_and_its_side_inferred()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = Peers.PythonServer("127.0.0.1", port);
        var go = dir.File("go");
        using var client = new BackgroundProcess("python3", [Repo.Fixture("servers/keepalive_client.py"), "127.0.0.1", port.ToString(), go, "/slow?ms=50", "/fast"]);
        client.WaitForLine("connected", TimeSpan.FromSeconds(20));
        using var recorder = RecorderRun.Start(dir.Path);
        File.WriteAllText(go, "");
        client.WaitForLine("done", TimeSpan.FromSeconds(20));
        Thread.Sleep(300);
        recorder.Stop();

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(new[] { "client GET /fast 200", "client GET /slow?ms=50 200", "server GET /fast 200", "server GET /slow?ms=50 200" },
            exchanges.Select(Key).Order());
        Assert.Contains(exchanges, e => e.GetProperty("comm").GetString() == "python3" && e.GetProperty("side").GetString() == "client");
    }

    [Fact]
    public void The_db_holds_the_manifest_probes_processes_and_is_private_to_its_owner()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = Peers.PythonServer("127.0.0.1", port);
        using var recorder = RecorderRun.Start(dir.Path, "--duration", "2s");
        Peers.Curl("-o", "/dev/null", $"http://127.0.0.1:{port}/fast");
        Assert.Equal(0, recorder.WaitForExit(TimeSpan.FromSeconds(20)));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(recorder.DbPath));
        using var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly");
        db.Open();
        Assert.Equal(2L, db.ExecuteScalar<long>("PRAGMA user_version"));
        var info = db.Query<(string Key, string Value)>("SELECT key, value FROM run_info").ToDictionary(r => r.Key, r => r.Value);
        foreach (var key in new[] { "started_at", "ended_at", "host", "kernel", "capture_version", "arguments", "max_capture_bytes", "monotonic_to_wall_offset_ns", "kernel_drops", "end_reason" })
            Assert.True(info.ContainsKey(key), $"run_info lacks {key}");
        Assert.Equal("duration reached", info["end_reason"]);
        Assert.Equal("262144", info["max_capture_bytes"]);
        var syscallHooks = db.Query<(string Name, string Kind, string Target)>("SELECT name, kind, target FROM probes WHERE status = 'attached' AND kind = 'tp_btf' ORDER BY name").ToList();
        Assert.Equal([("on_sys_enter", "tp_btf", "sys_enter"), ("on_sys_exit", "tp_btf", "sys_exit")], syscallHooks);
        var python = db.QueryFirst<(string Comm, string Cmdline, string Exe)>("SELECT comm, cmdline, exe FROM processes WHERE pid = @pid", new { pid = server.Pid });
        Assert.Equal("python3", python.Comm);
        Assert.Contains($"http_test_server.py 127.0.0.1 {port}", python.Cmdline);
        Assert.Contains("python3", python.Exe);
        // The recorder sees the whole host, where other curls may run: count this test's.
        Assert.Equal(1L, db.ExecuteScalar<long>(
            "SELECT count(DISTINCT p.pid) FROM processes p JOIN connections c ON c.pid = p.pid WHERE p.comm = 'curl' AND c.remote_port = @port", new { port }));
        // Counts are printed with thousands separators: other traffic on the host can pass a thousand connections in 2 s.
        Assert.Matches(@"recorded .*\(duration reached\): [\d,]+ connections, .* [\d,]+ events dropped", recorder.Output);
    }

    [Fact]
    public void A_recording_killed_with_sigkill_opens_and_analyzes_what_was_committed()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = Peers.PythonServer("127.0.0.1", port);
        using var recorder = RecorderRun.Start(dir.Path);
        Peers.Curl("-o", "/dev/null", $"http://127.0.0.1:{port}/fast");
        Peers.Curl("-o", "/dev/null", $"http://127.0.0.1:{port}/missing");
        Thread.Sleep(1000); // past the writer's commit interval
        recorder.Kill();

        using (var db = new SqliteConnection($"Data Source={recorder.DbPath}"))
        {
            db.Open();
            Assert.Equal("ok", db.ExecuteScalar<string>("PRAGMA integrity_check"));
        }
        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(new[] { "client GET /fast 200", "client GET /missing 404", "server GET /fast 200", "server GET /missing 404" },
            exchanges.Select(Key).Order());
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RecordingCollection
{
    public const string Name = "recording";
}
