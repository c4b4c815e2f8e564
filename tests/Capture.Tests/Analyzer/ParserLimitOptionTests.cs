using System.Text;
using System.Text.Json;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>The parsers' limits are `analyze` options with safe defaults: a person can keep a whole large
/// body, or bound a hostile recording more tightly; a value out of range is one line and exit 2.</summary>
public sealed class ParserLimitOptionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static JsonElement Show(string db, long id, params string[] options)
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [db, "show", id.ToString(), "--json", .. options]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    private static byte[] Body(int bytes) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, bytes / 10 + 1).Select(i => $"{i:D9}\n")))[..bytes];

    private static string[] Flags(JsonElement exchange) => exchange.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!).ToArray();

    private static string? Header(JsonElement exchange, string list, string name) =>
        exchange.GetProperty(list).EnumerateArray().Where(f => f[0].GetString() == name).Select(f => f[1].GetString()).FirstOrDefault();

    [Fact]
    public void An_http1_body_past_the_default_64_KiB_is_counted_and_body_kb_keeps_it_whole()
    {
        var body = Body(100 * 1024);
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "h1.db"));
        var conn = rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080");
        conn.ClientSends(1, "GET /big HTTP/1.1\r\nHost: limits.test\r\n\r\n");
        conn.ServerSends(5, [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n"), .. body]);
        string db = rec.Save();

        var byDefault = Show(db, 1);
        Assert.Equal(body.Length, byDefault.GetProperty("response_body_bytes").GetInt64());
        Assert.Equal(body[..(64 * 1024)], byDefault.GetProperty("response_body_base64").GetBytesFromBase64());

        var whole = Show(db, 1, "--body-kb", "128");
        Assert.Equal(body, whole.GetProperty("response_body_base64").GetBytesFromBase64());
    }

    [Fact]
    public void An_http2_stream_body_past_the_default_is_kept_whole_with_body_kb()
    {
        var body = Body(100 * 1024);
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "h2.db"));
        var conn = rec.Connection("nghttp", 11, "client", "127.0.0.1:50001", "127.0.0.1:8080");
        conn.ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings(), Frames.Headers(1, new HpackBlock().Indexed(2).Indexed(6)
            .WithoutIndexing(":path", "/big").WithoutIndexing(":authority", "limits.test").ToArray(), endStream: true)));
        var frames = new List<byte[]> { Frames.Settings(), Frames.Headers(1, new HpackBlock().Indexed(8).ToArray()) };
        for (int at = 0; at < body.Length; at += 16 * 1024)
            frames.Add(Frames.Data(1, body[at..Math.Min(body.Length, at + 16 * 1024)], endStream: at + 16 * 1024 >= body.Length));
        conn.ServerSends(5, Frames.Concat([.. frames]));
        string db = rec.Save();

        Assert.Equal(body[..(64 * 1024)], Show(db, 1).GetProperty("response_body_base64").GetBytesFromBase64());
        var whole = Show(db, 1, "--body-kb", "100");
        Assert.Equal(body, whole.GetProperty("response_body_base64").GetBytesFromBase64());
        Assert.Equal(body.Length, whole.GetProperty("response_body_bytes").GetInt64());
    }

    [Fact]
    public void More_header_fields_than_max_headers_make_the_request_malformed()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "fields.db"));
        var conn = rec.Connection("curl", 12, "client", "127.0.0.1:50002", "127.0.0.1:8080");
        conn.ClientSends(1, "GET /fields HTTP/1.1\r\nHost: limits.test\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n");
        conn.ServerSends(3, "HTTP/1.1 204 No Content\r\n\r\n");
        string db = rec.Save();

        Assert.DoesNotContain("malformed", Flags(Show(db, 1)));
        Assert.Contains("malformed", Flags(Show(db, 1, "--max-headers", "3")));
    }

    [Fact]
    public void An_hpack_entry_larger_than_the_table_kept_decodes_as_unknown_and_is_flagged()
    {
        string big = new('v', 3000);
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "hpack.db"));
        var conn = rec.Connection("nghttp", 13, "client", "127.0.0.1:50003", "127.0.0.1:8080");
        HpackBlock Request(string path) => new HpackBlock().Indexed(2).Indexed(6).WithoutIndexing(":path", path).WithoutIndexing(":authority", "limits.test");
        conn.ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings(),
            Frames.Headers(1, Request("/first").Incremental("x-big", big).ToArray(), endStream: true)));
        conn.ServerSends(2, Frames.Concat(Frames.Settings(), Frames.Headers(1, new HpackBlock().Indexed(8).ToArray(), endStream: true)));
        // Index 62 is the newest dynamic table entry: the x-big field inserted by the first request.
        conn.ClientSends(3, Frames.Headers(3, Request("/second").Indexed(62).ToArray(), endStream: true));
        conn.ServerSends(4, Frames.Headers(3, new HpackBlock().Indexed(8).ToArray(), endStream: true));
        string db = rec.Save();

        var byDefault = Show(db, 2);
        Assert.Equal(big, Header(byDefault, "request_headers", "x-big"));
        Assert.DoesNotContain("hpack_context_lost", Flags(byDefault));

        var bounded = Show(db, 2, "--max-hpack-table-kb", "1");
        Assert.NotEqual(big, Header(bounded, "request_headers", "x-big"));
        Assert.Contains("hpack_context_lost", Flags(bounded));
    }

    [Theory]
    [InlineData("--body-kb", "0")]
    [InlineData("--max-headers", "-3")]
    [InlineData("--max-hpack-table-kb", "99999999")]
    public void A_limit_out_of_range_is_one_line_and_exit_2(string option, string value)
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "any.db"));
        rec.Connection("curl", 14, "client", "127.0.0.1:50004", "127.0.0.1:8080").ClientSends(1, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [rec.Save(), "--list", option, value]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"analyze: {option} takes a count from 1 to {1 << 20}, not {value}", result.Stderr.Trim());
    }

    [Fact]
    public void A_limit_too_large_for_any_count_gives_the_limits_own_range_not_the_number_types()
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, ["any.db", "--max-head-kb", "99999999999"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"analyze: --max-head-kb takes a count from 1 to {1 << 20}, not '99999999999' (see --help)", result.Stderr.Trim());
    }
}
