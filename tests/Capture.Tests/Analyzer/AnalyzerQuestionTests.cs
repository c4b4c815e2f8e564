using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>The questions `analyze` answers, asked of a recording whose every byte and time is known
/// (<see cref="ShopRecording"/>). What a person reads is compared with reviewed golden files.</summary>
public sealed class AnalyzerQuestionTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _db;

    public AnalyzerQuestionTests() => _db = ShopRecording.Write(Path.Combine(_dir.Path, "shop.db"));

    public void Dispose() => _dir.Dispose();

    private string Analyze(params string[] args)
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [_db, .. args]);
        Assert.True(result.ExitCode == 0, $"analyze {string.Join(' ', args)} failed: {result.Stderr}");
        Assert.Equal("", result.Stderr);
        return result.Stdout;
    }

    [Theory]
    [InlineData("slowest", new[] { "--slowest", "20" })]
    [InlineData("errors", new[] { "--errors" })]
    [InlineData("stats", new[] { "--stats" })]
    [InlineData("by-process", new[] { "--by", "process" })]
    [InlineData("by-status.csv", new[] { "--by", "status", "--csv" })]
    [InlineData("list.csv", new[] { "--list", "--csv" })]
    [InlineData("where-server-users", new[] { "--list", "--where", "side=server", "--where", "path=/users/*" })]
    [InlineData("show-client-post", new[] { "show", "3" })]
    [InlineData("show-gzip-report", new[] { "show", "9" })]
    [InlineData("show-grpc-not-found", new[] { "show", "12" })]
    public void What_a_person_reads_matches_the_reviewed_output(string name, string[] args) =>
        Golden.Matches("shop." + name, Analyze(args));

    [Fact]
    public void Http2_streams_are_exchanges_with_grpc_fields_and_resets_as_errors()
    {
        var h2 = Json("--list", "--where", "protocol=h2");
        Assert.Equal([1, 3, 5], h2.Select(e => e.GetProperty("stream_id").GetInt32()));
        var ok = h2[0];
        Assert.Equal("POST", ok.GetProperty("method").GetString());
        Assert.Equal("/shop.Inventory/Reserve", ok.GetProperty("path").GetString());
        Assert.Equal("inventory:50051", ok.GetProperty("host").GetString());
        Assert.Equal(200, ok.GetProperty("status").GetInt32());
        Assert.Equal(17.0, ok.GetProperty("duration_ms").GetDouble(), 3); // first HEADERS at 503 ms to END_STREAM at 520 ms
        var grpc = ok.GetProperty("grpc");
        Assert.Equal("shop.Inventory", grpc.GetProperty("service").GetString());
        Assert.Equal("Reserve", grpc.GetProperty("method").GetString());
        Assert.Equal(0, grpc.GetProperty("status").GetInt32());
        Assert.Equal(1, grpc.GetProperty("request_messages").GetInt32());
        Assert.Equal(1, grpc.GetProperty("response_messages").GetInt32());

        Assert.Equal(5, h2[1].GetProperty("grpc").GetProperty("status").GetInt32());
        Assert.Equal("sku-2 not found", h2[1].GetProperty("grpc").GetProperty("message").GetString());
        Assert.Equal("CANCEL", h2[2].GetProperty("reset_error").GetString());
        Assert.Equal(["incomplete", "reset"], h2[2].GetProperty("flags").EnumerateArray().Select(f => f.GetString()!));

        var errors = Json("--errors", "--where", "protocol=h2");
        Assert.Equal([3, 5], errors.Select(e => e.GetProperty("stream_id").GetInt32()));
    }

    [Fact]
    public void Stats_collapse_ids_into_path_templates_and_give_percentiles_per_side()
    {
        // curl's three requests to nginx: each is a client exchange and a server exchange, counted in rows of their own.
        var users = Json("--stats").Where(r => r.GetProperty("path").GetString() == "/users/{id}").ToDictionary(r => r.GetProperty("side").GetString()!);
        Assert.Equal(["client", "server"], users.Keys.Order());
        Assert.All(users.Values, row => Assert.Equal(3, row.GetProperty("count").GetInt32()));
        Assert.All(users.Values, row => Assert.Equal(1, row.GetProperty("errors").GetInt32()));
        Assert.Equal(80.0, users["client"].GetProperty("max_ms").GetDouble(), 3);
        Assert.Equal(79.8, users["server"].GetProperty("max_ms").GetDouble(), 3);
        Assert.InRange(users["server"].GetProperty("p50_ms").GetDouble(), 29.8 * 0.99, 29.8 * 1.01);
    }

    [Fact]
    public void Filters_combine_and_limit_caps_the_rows()
    {
        var slowServer = Json("--list", "--where", "side=server", "--where", "duration>=40");
        Assert.Equal(["/orders", "/users/789"], slowServer.Select(e => e.GetProperty("path").GetString()!));
        Assert.All(slowServer, e => Assert.Equal("nginx", e.GetProperty("comm").GetString()));
        Assert.Single(Json("--list", "--where", "status=500,201", "--where", "comm=curl", "--limit", "1"));
        Assert.Equal(5, Json("--list", "--where", "method=post").Count); // /orders from both ends, three gRPC calls
        Assert.Empty(Json("--list", "--where", "until=03:04:05.050", "--where", "since=03:04:05.021"));
        Assert.Equal(6, Json("--list", "--where", "until=2026-01-02T03:04:05.100Z").Count); // three exchanges, from both ends
    }

    [Fact]
    public void Show_links_the_client_and_server_views_of_one_exchange()
    {
        var text = Analyze("show", "2");
        Assert.Contains("other end   nginx pid 200 (server side) took 29.800 ms; 0.200 ms of the client's time was spent outside the server", text);
    }

    [Fact]
    public void Har_export_has_every_field_devtools_require()
    {
        var har = Path.Combine(_dir.Path, "shop.har");
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [_db, "--export-har", har]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"wrote 13 exchanges to {har}\n", result.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(har));
        var log = doc.RootElement.GetProperty("log");
        Assert.Equal("1.2", log.GetProperty("version").GetString());
        var entries = log.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(13, entries.Count);
        foreach (var entry in entries)
        {
            Assert.True(DateTimeOffset.TryParse(entry.GetProperty("startedDateTime").GetString(), out _));
            Assert.True(entry.GetProperty("time").GetDouble() >= 0);
            foreach (var part in new[] { "request", "response" })
            {
                var message = entry.GetProperty(part);
                foreach (var field in new[] { "httpVersion", "cookies", "headers", "headersSize", "bodySize" }) Assert.True(message.TryGetProperty(field, out _), $"{part}.{field}");
            }
            Assert.True(entry.GetProperty("request").TryGetProperty("queryString", out _));
            Assert.True(entry.GetProperty("response").GetProperty("content").TryGetProperty("mimeType", out _));
            foreach (var timing in new[] { "send", "wait", "receive" }) Assert.True(entry.GetProperty("timings").GetProperty(timing).GetDouble() >= 0);
            Assert.True(entry.GetProperty("_pid").GetInt32() > 0);
        }
        var report = entries.Single(e => e.GetProperty("request").GetProperty("url").GetString() == "http://shop.test/reports/2026-01?format=csv");
        Assert.Equal("id,total\n1,10.00\n2,12.50\n", report.GetProperty("response").GetProperty("content").GetProperty("text").GetString());
        Assert.Equal("format", report.GetProperty("request").GetProperty("queryString")[0].GetProperty("name").GetString());
        var grpc = entries.First(e => e.GetProperty("request").GetProperty("url").GetString()!.EndsWith("/shop.Inventory/Reserve"));
        Assert.Equal("base64", grpc.GetProperty("response").GetProperty("content").GetProperty("encoding").GetString());
    }

    [Fact]
    public void Several_recordings_read_as_one_and_compare_shows_what_changed()
    {
        var other = ShopRecording.Write(Path.Combine(_dir.Path, "again.db"));
        var both = ProcessRunner.Run(Repo.AnalyzeBinary, [_db, other, "--list", "--json"]);
        Assert.Equal(0, both.ExitCode);
        var lines = both.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(26, lines.Length);
        Assert.Equal(other, JsonDocument.Parse(lines[^1]).RootElement.GetProperty("recording").GetString());

        var compare = ProcessRunner.Run(Repo.AnalyzeBinary, [_db, other, "--compare", "--json"]);
        Assert.Equal(0, compare.ExitCode);
        var rows = compare.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(rows, r => r.GetProperty("path").GetString() == "/users/{id}" && r.GetProperty("count_a").GetInt32() == r.GetProperty("count_b").GetInt32());
        Assert.All(rows, r => Assert.Equal("", r.GetProperty("change").GetString()));
    }

    [Fact]
    public void A_file_named_show_is_the_value_of_the_option_before_it_not_the_show_question()
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [_db, "--export-har", "show", "--limit", "1"], workingDirectory: _dir.Path);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("wrote 1 exchanges to show\n", result.Stderr);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "show")));
    }

    [Fact]
    public void By_connection_over_several_recordings_keeps_each_recordings_connections_apart_and_names_them_as_har_does()
    {
        var other = ShopRecording.Write(Path.Combine(_dir.Path, "again.db"));
        var one = Json("--by", "connection");
        var both = ProcessRunner.Run(Repo.AnalyzeBinary, [_db, other, "--by", "connection", "--json"]).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2 * one.Count, both.Count);
        foreach (var row in one)
        {
            string id = row.GetProperty("connection_id").GetString()!;
            foreach (var n in new[] { 1, 2 })
                Assert.Equal(row.GetProperty("count").GetInt32(), both.Single(r => r.GetProperty("connection_id").GetString() == $"{n}:{id}").GetProperty("count").GetInt32());
        }
    }

    [Theory]
    [InlineData(new[] { "--where", "speed>3" }, "analyze: --where speed>3: unknown field 'speed'")]
    [InlineData(new[] { "--where", "status>abc" }, "analyze: --where status>abc: 'abc' is not a number")]
    [InlineData(new[] { "--where", "path>/x" }, "analyze: --where path>/x: text fields take = or !=")]
    [InlineData(new[] { "--errors", "--stats" }, "analyze: ask one question at a time")]
    [InlineData(new[] { "--json", "--csv" }, "analyze: choose --json or --csv, not both")]
    [InlineData(new[] { "--compare" }, "analyze: --compare takes exactly two recordings")]
    [InlineData(new[] { "--by", "colour" }, "analyze: --by takes process, host, connection or status, not 'colour'")]
    [InlineData(new[] { "show", "99" }, "analyze: no exchange 99")]
    [InlineData(new[] { "--by", "show" }, "analyze: --by takes process, host, connection or status, not 'show'")]
    [InlineData(new[] { "--where", "show" }, "analyze: --where show: expected FIELD=VALUE")]
    public void Bad_questions_get_one_line_and_exit_code_2(string[] args, string expected)
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [_db, .. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(expected, result.Stderr);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
    }

    private List<JsonElement> Json(params string[] args) =>
        Analyze([.. args, "--json"]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
}
