using System.Text.Json;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// `--stats` and `--by host` group hosts as RFC 9110 §4.2.3 compares http and https URIs: a host's case does not matter,
/// and the scheme's default port (80 over http, 443 over https) is the same as none. `Host: Shop.Test`, `shop.test` and
/// `shop.test:80` on plain connections are one row, named `shop.test`; `shop.test:8080` is another. Everything that shows one
/// exchange (`--list`, `show`, `--json`, HAR) keeps the Host as it was sent.
/// </summary>
public sealed class HostGroupingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Hosts_that_differ_only_in_case_or_by_the_http_default_port_are_one_row_in_by_host_and_stats()
    {
        string db = Recording(tls: false, "Shop.Test", "shop.test", "shop.test:80", "SHOP.test:80", "shop.test:8080", "shop.test:443");

        Assert.Equal(["shop.test 4", "shop.test:443 1", "shop.test:8080 1"], Rows(db, "--by", "host").Select(r => $"{r.GetProperty("host").GetString()} {r.GetProperty("count")}"));
        Assert.Equal(["GET shop.test /a 4", "GET shop.test:443 /a 1", "GET shop.test:8080 /a 1"], Rows(db, "--stats").Select(Endpoint));
    }

    [Fact]
    public void A_port_is_a_number_so_leading_zeros_do_not_make_another_row()
    {
        string db = Recording(tls: false, "shop.test:0080", "shop.test", "shop.test:08080", "shop.test:8080", "shop.test:00", "shop.test:0x50");

        Assert.Equal(["shop.test 2", "shop.test:0 1", "shop.test:0x50 1", "shop.test:8080 2"],
            Rows(db, "--by", "host").Select(r => $"{r.GetProperty("host").GetString()} {r.GetProperty("count")}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Over_https_the_default_port_is_443()
    {
        string db = Recording(tls: true, "shop.test:443", "Shop.Test", "shop.test:80");

        Assert.Equal(["shop.test 2", "shop.test:80 1"], Rows(db, "--by", "host").Select(r => $"{r.GetProperty("host").GetString()} {r.GetProperty("count")}"));
    }

    [Fact]
    public void The_list_show_and_HAR_keep_the_host_as_sent()
    {
        string db = Recording(tls: false, "Shop.Test:80");

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal("Shop.Test:80", exchange.GetProperty("host").GetString());
        Assert.Contains("  GET http://Shop.Test:80/a\n", Analyze.Output(db, "show", exchange.GetProperty("id").ToString()).ReplaceLineEndings("\n"));
        var entry = Assert.Single(Analyze.Har([db], Path.Combine(_dir.Path, "hosts.har")).Entries);
        Assert.Equal("http://Shop.Test:80/a", entry.GetProperty("request").GetProperty("url").GetString());
    }

    [Fact]
    public void Where_host_picks_out_the_exchanges_of_a_by_host_row()
    {
        string db = Recording(tls: false, "Shop.Test", "shop.test:80", "shop.test:8080");

        Assert.Equal(["Shop.Test", "shop.test:80"], Analyze.ListJson(db, "--where", "host=shop.test").Select(e => e.GetProperty("host").GetString()));
        Assert.Equal(["shop.test:8080"], Analyze.ListJson(db, "--where", "host!=shop.test").Select(e => e.GetProperty("host").GetString()));
    }

    [Fact]
    public void Where_host_empty_picks_out_the_requests_that_sent_no_host_whose_host_is_the_servers_address()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "no-host.db"));
        string[] requests = ["GET /none HTTP/1.0\r\n\r\n", "GET /empty HTTP/1.1\r\nHost:\r\n\r\n", "GET /named HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"];
        for (int i = 0; i < requests.Length; i++)
            rec.Connection("curl", 10, "client", $"127.0.0.1:{50000 + i}", "127.0.0.1:8080")
                .ClientSends(1 + 2 * i, requests[i]).ServerSends(2 + 2 * i, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        string db = rec.Save();

        Assert.Equal(["/none 127.0.0.1:8080", "/empty "], Analyze.ListJson(db, "--where", "host=").Select(e => $"{e.GetProperty("path")} {e.GetProperty("host")}"));
        Assert.Equal(["/named"], Analyze.ListJson(db, "--where", "host!=").Select(e => e.GetProperty("path").GetString()));
        Assert.Equal(["/none", "/named"], Analyze.ListJson(db, "--where", "host=127.0.0.1:8080").Select(e => e.GetProperty("path").GetString()));
    }

    [Fact]
    public void Endpoints_whose_host_and_path_hold_control_characters_are_never_merged_into_another_endpoints_row()
    {
        // HTTP/2 fields may carry any octet (RFC 9113 §8.2.1 has a server reject them; the capture shows what was sent).
        // Host "a\u0001b" with path "/" and host "a" with path "b\u0001/" are two endpoints, whatever separates a key's values.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "h2.db"));
        var connection = rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8443", tlsLibrary: "openssl")
            .ClientSends(0, Frames.Concat(Frames.Preface, Frames.Settings()))
            .ServerSends(0.5, Frames.Concat(Frames.Settings(), Frames.SettingsAck()));
        foreach (var (stream, authority, path) in new[] { (1, "a\u0001b", "/"), (3, "a", "b\u0001/") })
            connection.ClientSends(stream, Frames.Headers(stream, new HpackBlock().WithoutIndexing(":method", "GET").WithoutIndexing(":scheme", "https")
                    .WithoutIndexing(":path", path).WithoutIndexing(":authority", authority).ToArray(), endStream: true))
                .ServerSends(stream + 1, Frames.Headers(stream, new HpackBlock().WithoutIndexing(":status", "200").ToArray(), endStream: true));
        string db = rec.Save();

        Assert.Equal(["GET a\u0001b / 1", "GET a b\u0001/ 1"], Rows(db, "--stats").Select(Endpoint).Order(StringComparer.Ordinal));
        Assert.Equal(["GET a\u0001b / 1 1", "GET a b\u0001/ 1 1"], Rows(db, db, "--compare").Select(r =>
            $"{r.GetProperty("method").GetString()} {r.GetProperty("host").GetString()} {r.GetProperty("path").GetString()} {r.GetProperty("count_a")} {r.GetProperty("count_b")}").Order(StringComparer.Ordinal));
    }

    /// <summary>One GET /a per host, each on a connection of its own, answered 200.</summary>
    private string Recording(bool tls, params string[] hosts)
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.db"));
        for (int i = 0; i < hosts.Length; i++)
        {
            rec.Connection("curl", 10, "client", $"127.0.0.1:{50000 + i}", "127.0.0.1:8080", tlsLibrary: tls ? "openssl" : null)
                .ClientSends(1 + 2 * i, $"GET /a HTTP/1.1\r\nHost: {hosts[i]}\r\n\r\n")
                .ServerSends(2 + 2 * i, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        }
        return rec.Save();
    }

    private static List<JsonElement> Rows(string db, params string[] question) =>
        Analyze.Output(db, [.. question, "--json"]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private static string Endpoint(JsonElement row) =>
        $"{row.GetProperty("method").GetString()} {row.GetProperty("host").GetString()} {row.GetProperty("path").GetString()} {row.GetProperty("count")}";
}
