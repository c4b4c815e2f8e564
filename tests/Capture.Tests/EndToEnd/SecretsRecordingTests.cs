using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.EndToEnd;

/// <summary>Secrets at capture time: credentials sent by curl and nghttp and set by nginx never reach the db or
/// the pcapng, yet equal tokens stay equal; a shared --redact-key joins recordings; --no-redact keeps them.</summary>
[Collection(RecordingCollection.Name)]
public sealed class SecretsRecordingTests
{
    /// <summary>Every byte the recording stored, per chunk, as Latin-1 text.</summary>
    private static string StoredText(string db)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        return string.Join("\n", connection.Query<byte[]>("SELECT data FROM chunks ORDER BY id").Select(Encoding.Latin1.GetString));
    }

    private static BackgroundProcess NginxSettingCookies(string directory, int port)
    {
        var root = Directory.CreateDirectory(Path.Combine(directory, "www")).FullName;
        File.WriteAllText(Path.Combine(root, "hello"), "hello\n");
        File.WriteAllText(Path.Combine(directory, "nginx.conf"), $$"""
            {{Peers.NginxPreamble(directory, "nginx")}}
                server {
                    listen 127.0.0.1:{{port}};
                    root {{root}};
                    location /login { add_header Set-Cookie "session=NGINXSETCOOKIE42; Path=/; HttpOnly"; return 200 "in\n"; }
                }
            }
            """);
        var nginx = new BackgroundProcess("/usr/sbin/nginx", ["-c", Path.Combine(directory, "nginx.conf"), "-e", Path.Combine(directory, "error.log")]);
        Peers.WaitForPort(port);
        return nginx;
    }

    private static List<string> Values(string text, string pattern) =>
        Regex.Matches(text, pattern).Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public void Http1_credentials_reach_neither_the_db_nor_the_pcapng_and_equal_tokens_stay_equal()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = NginxSettingCookies(dir.Path, port);
        var pcapng = dir.File("run.pcapng");
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString(), "--pcapng", pcapng);
        var url = $"http://127.0.0.1:{port}";
        // Two requests with token A on one keep-alive connection, then token B, then a login that sets a cookie.
        Peers.Curl("-o", "/dev/null", "-o", "/dev/null", "-H", "Authorization: Bearer TOKENAAAAAAAAAAAA", "-b", "session=COOKIEAAAAAAAA",
            $"{url}/hello?access_token=QUERYAAAAAAAAAA&page=1", $"{url}/hello?access_token=QUERYAAAAAAAAAA&page=2");
        Peers.Curl("-o", "/dev/null", "-H", "Authorization: Bearer TOKENBBBBBBBBBBBB", $"{url}/hello?access_token=QUERYBBBBBBBBBB");
        Peers.Curl("-o", "/dev/null", $"{url}/login");
        Thread.Sleep(300);
        // Every file that holds traffic is readable by its owner only, the SQLite side files too.
        foreach (var path in new[] { recorder.DbPath, recorder.DbPath + "-wal", recorder.DbPath + "-shm", pcapng })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(0, recorder.Stop());

        string stored = StoredText(recorder.DbPath);
        var file = Encoding.Latin1.GetString(File.ReadAllBytes(pcapng));
        foreach (var secret in new[] { "TOKENAAAA", "TOKENBBBB", "COOKIEAAAA", "QUERYAAAA", "QUERYBBBB", "NGINXSETCOOKIE42" })
        {
            Assert.DoesNotContain(secret, stored);
            Assert.DoesNotContain(secret, file);
        }

        // Each request is stored twice (curl's view and nginx's): token A four times with one value, token B twice with another.
        var tokens = Values(stored, @"Authorization: Bearer (\S+)\r\n");
        Assert.Equal(6, tokens.Count);
        Assert.Equal([2, 4], tokens.GroupBy(t => t).Select(g => g.Count()).Order());
        Assert.All(tokens, t => Assert.Equal("TOKENAAAAAAAAAAAA".Length, t.Length));
        var cookies = Values(stored, @"Set-Cookie: session=(\S+); Path=/; HttpOnly");
        Assert.Equal(2, cookies.Count); // nginx's and curl's view of one response
        Assert.Single(cookies.Distinct());

        // tshark reads the redacted requests from the pcapng's synthetic packets, names kept and values replaced.
        var uris = PacketTools.Tshark(pcapng, "http.request && frame.comment", ["http.request.uri", "http.authorization"]);
        Assert.Equal(8, uris.Count);
        Assert.All(uris.Where(u => u[0].StartsWith("/hello")), u => Assert.Matches(@"^/hello\?access_token=[a-z2-7]{15}(&page=\d)?$", u[0]));
        Assert.All(uris.Where(u => u[0].StartsWith("/hello")), u => Assert.StartsWith("Bearer ", u[1]));

        // The analyzer still sees every exchange whole.
        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(8, exchanges.Count);
        Assert.All(exchanges, e => Assert.Empty(e.GetProperty("flags").EnumerateArray()));
        // A replaced value looks like a token: `show` says which ones are hashes, not what was sent.
        string Redacted(JsonElement e) => string.Join(", ", Analyze.ShowJson(recorder.DbPath, e.GetProperty("id").GetInt64())
            .GetProperty("redacted").EnumerateArray().Select(r => r.GetString()));
        Assert.All(exchanges.Where(e => e.GetProperty("path").GetString()!.StartsWith("/hello?access_token=") && e.GetProperty("path").GetString()!.Contains("page")),
            e => Assert.Equal("Cookie in the request, Authorization in the request, query access_token", Redacted(e))); // in the order curl sent them
        Assert.All(exchanges.Where(e => e.GetProperty("path").GetString() == "/login"), e => Assert.Equal("Set-Cookie in the response", Redacted(e)));

        using var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly;Pooling=False");
        var info = db.Query<(string Key, string Value)>("SELECT key, value FROM run_info").ToDictionary(r => r.Key, r => r.Value);
        Assert.Equal("on", info["redaction"]);
        Assert.Contains("authorization", info["redacted_headers"].Split(','));
        Assert.Contains("access_token", info["redacted_query_parameters"].Split(','));
        Assert.Equal("random, not stored", info["redaction_key"]);
    }

    [Fact]
    public void Http2_header_values_from_nghttp_are_redacted_and_the_exchanges_still_analyze()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = Nghttpd(dir, port, ("a.txt", "alpha\n"));
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());
        var result = ProcessRunner.Run("nghttp", ["-n", "-H", "authorization: Bearer H2TOKENSECRET123", "-H", "cookie: sid=H2COOKIESECRET",
            $"http://127.0.0.1:{port}/a.txt?token=H2QUERYSECRET&n=1", $"http://127.0.0.1:{port}/a.txt?token=H2QUERYSECRET&n=2"], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        string stored = StoredText(recorder.DbPath);
        foreach (var secret in new[] { "H2TOKENSECRET", "H2COOKIESECRET", "H2QUERYSECRET" }) Assert.DoesNotContain(secret, stored);
        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(4, exchanges.Count);
        Assert.All(exchanges, e =>
        {
            Assert.Equal("h2", e.GetProperty("protocol").GetString());
            Assert.Equal(200, e.GetProperty("status").GetInt32());
            Assert.Empty(e.GetProperty("flags").EnumerateArray());
            Assert.Matches(@"^/a\.txt\?token=[0-9a-zA-Z_.-]+&n=[12]$", e.GetProperty("path").GetString());
        });
        Assert.All(exchanges, e => Assert.Equal(["authorization in the request", "cookie in the request", "query token"],
            Analyze.ShowJson(recorder.DbPath, e.GetProperty("id").GetInt64()).GetProperty("redacted").EnumerateArray().Select(r => r.GetString())));
        // Both requests carried the same query token: one replacement in all four views.
        Assert.Single(exchanges.Select(e => e.GetProperty("path").GetString()!.Split('&')[0]).Distinct());
    }

    [Fact]
    public void A_shared_redact_key_joins_two_recordings_and_no_redact_keeps_the_raw_value()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = NginxSettingCookies(dir.Path, port);
        var key = dir.File("redact.key");
        File.WriteAllBytes(key, Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef"));

        string RecordOnce(string name, params string[] args)
        {
            var sub = Directory.CreateDirectory(Path.Combine(dir.Path, name)).FullName;
            using var recorder = RecorderRun.Start(sub, ["--port", port.ToString(), .. args]);
            Peers.Curl("-o", "/dev/null", "-H", "Authorization: Bearer JOINEDTOKEN77", $"http://127.0.0.1:{port}/hello");
            Thread.Sleep(300);
            Assert.Equal(0, recorder.Stop());
            return Values(StoredText(recorder.DbPath), @"Authorization: Bearer (\S+)\r\n").Distinct().Single();
        }

        string first = RecordOnce("one", "--redact-key", key), second = RecordOnce("two", "--redact-key", key);
        string random = RecordOnce("three"), raw = RecordOnce("four", "--no-redact");

        Assert.Equal(first, second);
        Assert.NotEqual("JOINEDTOKEN77", first);
        Assert.NotEqual(first, random);
        Assert.Equal("JOINEDTOKEN77", raw);
    }

    [Fact]
    public void A_denied_path_leaves_no_bytes_and_no_gap_while_its_keep_alive_neighbours_analyze_normally()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = NginxSettingCookies(dir.Path, port);
        var pcapng = dir.File("run.pcapng");
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString(), "--deny", "*/login*", "--pcapng", pcapng);
        var url = $"http://127.0.0.1:{port}";
        Peers.Curl("-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", $"{url}/hello?first", $"{url}/login?user=DENIEDMARKER", $"{url}/hello?last");
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        string stored = StoredText(recorder.DbPath);
        Assert.DoesNotContain("DENIEDMARKER", stored);
        Assert.DoesNotContain("/login", stored);
        Assert.DoesNotContain("/login", Encoding.Latin1.GetString(File.ReadAllBytes(pcapng)));
        using (var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly;Pooling=False"))
            Assert.Equal(4L, db.ExecuteScalar<long>("SELECT count(*) FROM chunks WHERE flags & 4 != 0 AND data_len = 0")); // request and response, two views

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(["/hello?first", "/hello?first", "/hello?last", "/hello?last"], exchanges.Select(e => e.GetProperty("path").GetString()).Order());
        Assert.All(exchanges, e =>
        {
            Assert.Equal(200, e.GetProperty("status").GetInt32());
            Assert.Empty(e.GetProperty("flags").EnumerateArray());
        });
    }

    [Fact]
    public void A_denied_http2_stream_leaves_no_body_and_no_exchange_while_the_streams_around_it_decode_normally()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = Nghttpd(dir, port, ("a.txt", "alpha\n"),
            ("secret.txt", string.Concat(Enumerable.Repeat("DENIEDBODYMARKER ", 2000))), ("b.txt", "beta\n"));
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString(), "--deny", "*/secret*");
        // One connection, three streams (1, 3, 5): the denied one in the middle, its frames interleaved with the others'.
        var url = $"http://127.0.0.1:{port}";
        var result = ProcessRunner.Run("nghttp", ["-n", $"{url}/a.txt", $"{url}/secret.txt?who=DENIEDQUERYMARKER", $"{url}/b.txt"], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        string stored = StoredText(recorder.DbPath);
        Assert.DoesNotContain("DENIEDBODYMARKER", stored);
        using (var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly;Pooling=False"))
        {
            // Both ends of the one connection name the same stream (nghttp's requests start at 13: 3 to 11 are its priority groups).
            var denied = db.Query<long>("SELECT stream_id FROM denied_streams ORDER BY conn_id").ToList();
            Assert.Equal(2, denied.Count);
            Assert.Single(denied.Distinct());
            Assert.True(db.ExecuteScalar<long>("SELECT count(*) FROM chunks WHERE flags & 4 != 0 AND data_len = 0") >= 2);
        }

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(["/a.txt", "/a.txt", "/b.txt", "/b.txt"], exchanges.Select(e => e.GetProperty("path").GetString()).Order());
        Assert.All(exchanges, e =>
        {
            Assert.Equal("h2", e.GetProperty("protocol").GetString());
            Assert.Equal(200, e.GetProperty("status").GetInt32());
            Assert.Empty(e.GetProperty("flags").EnumerateArray());
        });
    }
    /// <summary>nghttpd serving <paramref name="files"/> over h2c on <paramref name="port"/>, ready for connections.</summary>
    private static BackgroundProcess Nghttpd(TempDir dir, int port, params (string Name, string Content)[] files)
    {
        var root = Directory.CreateDirectory(Path.Combine(dir.Path, "h2root")).FullName;
        foreach (var (name, content) in files) File.WriteAllText(Path.Combine(root, name), content);
        var server = new BackgroundProcess("nghttpd", ["-d", root, "--no-tls", port.ToString()]);
        Peers.WaitForPort(port);
        return server;
    }
}
