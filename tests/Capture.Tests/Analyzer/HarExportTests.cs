using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// `analyze --export-har`: what a HAR importer (browser devtools) is told must be what the recording holds,
/// never more. A body HAR cannot carry, a body only partly kept, a response without a request and
/// connections of several recordings each say so instead of passing for something else.
/// </summary>
public sealed class HarExportTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_binary_request_body_is_left_out_of_postData_text_and_its_comment_gives_its_size()
    {
        byte[] body = [0x00, 0xFF, 0x10, 0x80, 0x7F, 0x01, 0x02, 0x03];
        var entry = OnlyEntry(Exchange(
            Bytes($"POST /upload HTTP/1.1\r\nHost: har.test\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\n\r\n", body),
            Latin1("HTTP/1.1 204 No Content\r\n\r\n")));

        var postData = entry.GetProperty("request").GetProperty("postData");
        Assert.Equal("application/octet-stream", postData.GetProperty("mimeType").GetString());
        Assert.Equal("", postData.GetProperty("text").GetString());
        Assert.Equal("binary body of 8 bytes left out: HAR 1.2 postData holds only text", postData.GetProperty("comment").GetString());
        Assert.Equal(8, entry.GetProperty("request").GetProperty("bodySize").GetInt64());
    }

    [Fact]
    public void A_text_request_body_is_postData_text_with_no_comment()
    {
        var entry = OnlyEntry(Exchange(
            "POST /form HTTP/1.1\r\nHost: har.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\nq=hello",
            "HTTP/1.1 204 No Content\r\n\r\n"));

        var postData = entry.GetProperty("request").GetProperty("postData");
        Assert.Equal("q=hello", postData.GetProperty("text").GetString());
        Assert.False(postData.TryGetProperty("comment", out _));
    }

    [Fact]
    public void Query_string_parameters_are_decoded_as_a_browser_decodes_them_with_plus_as_a_space()
    {
        var entry = OnlyEntry(Exchange("GET /search?q=red+shoes%2Bsocks&price%3E=%E2%82%AC10&flag HTTP/1.1\r\nHost: har.test\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n"));

        Assert.Equal(["q=red shoes+socks", "price>=€10", "flag="],
            entry.GetProperty("request").GetProperty("queryString").EnumerateArray()
                .Select(p => $"{p.GetProperty("name").GetString()}={p.GetProperty("value").GetString()}"));
        Assert.Equal("http://har.test/search?q=red+shoes%2Bsocks&price%3E=%E2%82%AC10&flag", entry.GetProperty("request").GetProperty("url").GetString());
    }

    [Fact]
    public void Query_string_parameters_sent_as_raw_UTF8_bytes_decode_as_their_url_escapes_do_not_as_Latin1()
    {
        // Sent as bytes: "caf\u00c3\u00a9" is the UTF-8 of "café", "\u00e9" a lone Latin-1 byte that is no UTF-8.
        var entry = OnlyEntry(Exchange("GET /s?q=caf\u00c3\u00a9&escaped=caf%C3%A9&latin1=\u00e9 HTTP/1.1\r\nHost: har.test\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n"));

        Assert.Equal("http://har.test/s?q=caf%C3%A9&escaped=caf%C3%A9&latin1=%E9", entry.GetProperty("request").GetProperty("url").GetString());
        Assert.Equal(["q=café", "escaped=café", "latin1=%E9"],
            entry.GetProperty("request").GetProperty("queryString").EnumerateArray()
                .Select(p => $"{p.GetProperty("name").GetString()}={p.GetProperty("value").GetString()}"));
    }

    [Fact]
    public void An_HTTP10_request_answered_in_HTTP11_has_each_messages_own_version()
    {
        var entry = OnlyEntry(Exchange("GET /old HTTP/1.0\r\nHost: har.test\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"));

        Assert.Equal("HTTP/1.0", entry.GetProperty("request").GetProperty("httpVersion").GetString());
        Assert.Equal("HTTP/1.1", entry.GetProperty("response").GetProperty("httpVersion").GetString());
    }

    [Fact]
    public void An_OPTIONS_asterisk_request_has_the_URL_of_its_server_not_a_host_ending_in_an_asterisk()
    {
        // RFC 9110 §7.1: the target URI of an asterisk-form request has an empty path; "http://har.test*" names host "har.test*".
        var entry = OnlyEntry(Exchange("OPTIONS * HTTP/1.1\r\nHost: har.test\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n"));

        Assert.Equal("http://har.test", entry.GetProperty("request").GetProperty("url").GetString());
    }

    [Fact]
    public void Request_cookies_are_the_name_value_pairs_of_every_Cookie_field()
    {
        var entry = OnlyEntry(Exchange(
            "GET / HTTP/1.1\r\nHost: har.test\r\nCookie: sid=s3cr3t; theme=dark\r\nCookie: lang=en;flag\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n"));

        Assert.Equal(["sid=s3cr3t", "theme=dark", "lang=en", "=flag"],
            entry.GetProperty("request").GetProperty("cookies").EnumerateArray()
                .Select(c => $"{c.GetProperty("name").GetString()}={c.GetProperty("value").GetString()}"));
    }

    [Fact]
    public void Each_Set_Cookie_field_is_one_response_cookie_with_the_attributes_HAR_defines()
    {
        var entry = OnlyEntry(Exchange(
            "GET /login HTTP/1.1\r\nHost: har.test\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n" +
            "Set-Cookie: sid=abc; Path=/; Domain=har.test; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly; Secure; SameSite=Lax\r\n" +
            "Set-Cookie: old=1; expires=Thu, 01-Jan-1970 00:00:00 GMT\r\n" +
            "Set-Cookie: short=2; Max-Age=60; Expires=Wed, 21 Oct 2026 07:28:00 GMT\r\n\r\n"));

        var cookies = entry.GetProperty("response").GetProperty("cookies").EnumerateArray().ToList();
        Assert.Equal(3, cookies.Count);
        Assert.Equal("""{"name":"sid","value":"abc","path":"/","domain":"har.test","expires":"2026-10-21T07:28:00.000Z","httpOnly":true,"secure":true}""",
            cookies[0].GetRawText().Replace(" ", "").Replace("\n", ""));
        Assert.Equal("""{"name":"old","value":"1","expires":"1970-01-01T00:00:00.000Z","httpOnly":false,"secure":false}""",
            cookies[1].GetRawText().Replace(" ", "").Replace("\n", ""));
        // RFC 6265 §5.3: Max-Age wins over Expires, counted from when the response arrived (ms 2 of the recording).
        Assert.Equal(SyntheticRecording.Epoch.AddMilliseconds(2).AddSeconds(60).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
            cookies[2].GetProperty("expires").GetString());
    }

    [Fact]
    public void A_Max_Age_with_a_plus_sign_is_ignored_as_RFC_6265_has_it_and_Expires_stays_in_force()
    {
        // RFC 6265 §5.2.2: a Max-Age whose first character is not a digit or "-" is ignored; a browser keeps the Expires.
        var entry = OnlyEntry(Exchange("GET / HTTP/1.1\r\nHost: har.test\r\n\r\n",
            "HTTP/1.1 204 No Content\r\nSet-Cookie: a=1; Max-Age=+60; Expires=Wed, 21 Oct 2026 07:28:00 GMT\r\n\r\n"));

        var cookie = Assert.Single(entry.GetProperty("response").GetProperty("cookies").EnumerateArray());
        Assert.Equal("2026-10-21T07:28:00.000Z", cookie.GetProperty("expires").GetString());
    }

    [Fact]
    public void Trailer_fields_follow_the_header_fields_each_with_a_comment_so_a_gRPC_failure_is_not_a_bare_200()
    {
        // HAR 1.2 has no trailers; left out, the grpc-status that says a call failed would be in no part of the entry.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "grpc.db"));
        Http2Request(rec, "POST", "/shop.Cart/Add")
            .ServerSends(2, Frames.Headers(1, new HpackBlock().WithoutIndexing(":status", "200").WithoutIndexing("content-type", "application/grpc").ToArray()))
            .ServerSends(3, Frames.Headers(1, new HpackBlock().WithoutIndexing("grpc-status", "5").WithoutIndexing("grpc-message", "no such cart").ToArray(), endStream: true));
        var entry = OnlyEntry(rec.Save());

        Assert.Equal([":status: 200 -", "content-type: application/grpc -", "grpc-status: 5 trailer: sent after the body", "grpc-message: no such cart trailer: sent after the body"],
            entry.GetProperty("response").GetProperty("headers").EnumerateArray().Select(h =>
                $"{h.GetProperty("name").GetString()}: {h.GetProperty("value").GetString()} {(h.TryGetProperty("comment", out var c) ? c.GetString() : "-")}"));
    }

    [Fact]
    public void A_response_without_a_request_is_left_out_and_the_count_says_so()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "unsolicited.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ServerSends(1, "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .Close(2);
        rec.Connection("curl", 11, "client", "127.0.0.1:50001", "127.0.0.1:8080")
            .ClientSends(3, "GET /asked HTTP/1.1\r\nHost: har.test\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        string db = rec.Save();

        var (entries, stderr) = Export([db]);
        Assert.Equal(["http://har.test/asked"], entries.Select(e => e.GetProperty("request").GetProperty("url").GetString()));
        Assert.EndsWith(" (1 exchange left out, as a HAR entry needs a request's method and URL: 1 whose request was not captured)\n", stderr);
    }

    [Fact]
    public void A_request_whose_line_did_not_parse_is_left_out_not_shown_as_a_GET()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "unparsed.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /a b HTTP/1.1\r\nHost: har.test\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .ClientSends(3, "GET /next HTTP/1.1\r\nHost: har.test\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        string db = rec.Save();

        var (entries, stderr) = Export([db]);
        Assert.Equal(["GET http://har.test/next 200"], entries.Select(e =>
            $"{e.GetProperty("request").GetProperty("method").GetString()} {e.GetProperty("request").GetProperty("url").GetString()} " +
            $"{e.GetProperty("response").GetProperty("status")}"));
        Assert.EndsWith(" (1 exchange left out, as a HAR entry needs a request's method and URL: 1 whose request line did not parse)\n", stderr);
    }

    [Fact]
    public void An_HTTP2_request_cut_before_its_first_field_is_left_out_and_the_count_says_why()
    {
        var post = Frames.Headers(1, new HpackBlock().WithoutIndexing(":method", "POST").WithoutIndexing(":scheme", "https")
            .WithoutIndexing(":authority", "har.test").WithoutIndexing(":path", "/upload").ToArray(), endStream: true);
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "h2-cut.db"));
        rec.Connection("curl", 11, "client", "127.0.0.1:50002", "127.0.0.1:8443")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings()))
            .ServerSends(2, Frames.Concat(Frames.Settings(), Frames.SettingsAck()))
            .ClientSendsCapped(3, post, captured: 9 + 4)
            .ServerSends(4, Frames.Headers(1, new HpackBlock().WithoutIndexing(":status", "200").ToArray(), endStream: true))
            .Close(5);

        var (entries, stderr) = Export([rec.Save()]);
        Assert.Empty(entries);
        Assert.EndsWith(" (1 exchange left out, as a HAR entry needs a request's method and URL: 1 whose HTTP/2 request fields were not captured)\n", stderr);
    }

    [Fact]
    public void A_gzip_body_cut_at_body_kb_is_marked_partial_and_its_size_counts_only_the_bytes_decoded()
    {
        byte[] whole = Encoding.ASCII.GetBytes(string.Join(' ', Enumerable.Range(0, 4000).Select(i => (i * 7919 % 100003).ToString())));
        byte[] gzip = Gzip(whole);
        Assert.True(gzip.Length > 2048);
        var entry = OnlyEntry(Exchange(
            Latin1("GET /big HTTP/1.1\r\nHost: har.test\r\n\r\n"),
            Bytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: {gzip.Length}\r\n\r\n", gzip)), "--body-kb", "1");

        var response = entry.GetProperty("response");
        var content = response.GetProperty("content");
        string text = content.GetProperty("text").GetString()!;
        Assert.StartsWith(text, Encoding.ASCII.GetString(whole));
        Assert.True(text.Length < whole.Length);
        Assert.Equal(text.Length, content.GetProperty("size").GetInt64());
        Assert.False(content.TryGetProperty("compression", out _));
        Assert.Equal($"partial: the text is decoded from the first 1 KiB of a gzip body of {gzip.Length} bytes on the wire (the rest was not kept: " +
                     "--body-kb, or lost: see _flags); its decoded size is not known", content.GetProperty("comment").GetString());
        Assert.Equal(gzip.Length, response.GetProperty("bodySize").GetInt64());
    }

    [Fact]
    public void An_uncompressed_body_cut_at_body_kb_keeps_its_whole_size_and_is_marked_partial()
    {
        string whole = new('x', 3000);
        var entry = OnlyEntry(Exchange(
            "GET /big HTTP/1.1\r\nHost: har.test\r\n\r\n",
            $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3000\r\n\r\n{whole}"), "--body-kb", "1");

        var content = entry.GetProperty("response").GetProperty("content");
        Assert.Equal(new string('x', 1024), content.GetProperty("text").GetString());
        Assert.Equal(3000, content.GetProperty("size").GetInt64());
        Assert.Equal("partial: the text is the first 1 KiB of a body of 3000 bytes on the wire (the rest was not kept: --body-kb, or lost: see _flags)",
            content.GetProperty("comment").GetString());
    }

    [Fact]
    public void A_body_the_recording_ended_in_says_it_may_end_early()
    {
        var entry = OnlyEntry(Exchange(
            "GET /slow HTTP/1.1\r\nHost: har.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nfirst ten."));

        var content = entry.GetProperty("response").GetProperty("content");
        Assert.Equal("first ten.", content.GetProperty("text").GetString());
        Assert.Equal("the exchange did not finish in the recording, so the body may end early", content.GetProperty("comment").GetString());
    }

    [Fact]
    public void A_whole_gzip_body_gives_its_decoded_size_and_compression_with_no_comment()
    {
        byte[] whole = Encoding.ASCII.GetBytes(new string('a', 5000));
        byte[] gzip = Gzip(whole);
        var entry = OnlyEntry(Exchange(
            Latin1("GET /small HTTP/1.1\r\nHost: har.test\r\n\r\n"),
            Bytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: {gzip.Length}\r\n\r\n", gzip)));

        var content = entry.GetProperty("response").GetProperty("content");
        Assert.Equal(5000, content.GetProperty("size").GetInt64());
        Assert.Equal(5000 - gzip.Length, content.GetProperty("compression").GetInt64());
        Assert.False(content.TryGetProperty("comment", out _));
    }

    [Fact]
    public void A_body_that_is_not_in_the_coding_its_header_names_is_exported_and_shown_as_sent_not_as_an_empty_body()
    {
        // A server that labels plain text gzip: nothing decodes, and a decoded body of 0 bytes would hide the 11 that came.
        string db = Exchange(
            "GET /mislabelled HTTP/1.1\r\nHost: har.test\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: 11\r\n\r\nhello world");

        var content = OnlyEntry(db).GetProperty("response").GetProperty("content");
        Assert.Equal("hello world", content.GetProperty("text").GetString());
        Assert.Equal(11, content.GetProperty("size").GetInt64());
        Assert.False(content.TryGetProperty("compression", out _));
        Assert.Equal("not valid gzip, shown as sent", content.GetProperty("comment").GetString());
        string show = Analyze.Output(db, "show", "1");
        Assert.Contains("< response body: 11 bytes (not valid gzip, shown as sent)\n<   hello world\n", show);
    }

    [Fact]
    public void Connection_ids_of_several_recordings_are_prefixed_with_the_recording_number_and_one_recording_keeps_its_own()
    {
        const string Request = "GET / HTTP/1.1\r\nHost: har.test\r\n\r\n", Response = "HTTP/1.1 204 No Content\r\n\r\n";
        string a = Exchange(Request, Response), b = Exchange(Request, Response);

        Assert.Equal(["1"], Export([a]).Entries.Select(e => e.GetProperty("connection").GetString()));
        Assert.Equal(["1:1", "2:1"], Export([a, b]).Entries.Select(e => e.GetProperty("connection").GetString()));
    }

    [Fact]
    public void Time_the_server_took_before_its_final_response_is_wait_even_after_an_interim_response()
    {
        // 100 Continue at 1.5 ms, the body sent by 2 ms, the server's answer at 1001 ms: a thousand ms of waiting for the
        // server, which HAR's receive ("time required to read entire response") would show as a slow download.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "continue.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "POST /upload HTTP/1.1\r\nHost: har.test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            .ServerSends(1.5, "HTTP/1.1 100 Continue\r\n\r\n")
            .ClientSends(3, "hello")
            .ServerSends(1001, "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\n")
            .ServerSends(1011, "saved");
        var entry = OnlyEntry(rec.Save());

        Assert.Equal("send=2 wait=998 receive=10 time=1010", Timings(entry));
    }

    [Fact]
    public void Time_the_server_took_before_its_final_response_is_wait_even_after_103_Early_Hints_over_HTTP2()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "hints.db"));
        Http2Request(rec, "GET", "/page")
            .ServerSends(3, Frames.Headers(1, new HpackBlock().WithoutIndexing(":status", "103").WithoutIndexing("link", "</app.css>; rel=preload").ToArray()))
            .ServerSends(301, Frames.Headers(1, new HpackBlock().WithoutIndexing(":status", "200").ToArray()))
            .ServerSends(305, Frames.Data(1, "<html>", endStream: true));
        var entry = OnlyEntry(rec.Save());

        Assert.Equal("send=0 wait=300 receive=4 time=304", Timings(entry));
    }

    [Fact]
    public void Time_is_the_sum_of_the_timings_as_written_even_when_each_is_rounded()
    {
        // HAR 1.2: time is the sum of the timings. Each is written to the microsecond; 1.0004 + 1.0004 rounds to 1 + 1,
        // and the total 2.0008 to 2.001, which a HAR validator rejects.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "rounding.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /t HTTP/1.1\r\nHost: har.test\r\n\r\n")
            .ServerSends(2.0004, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n")
            .ServerSends(3.0008, "a");
        var entry = OnlyEntry(rec.Save());

        Assert.Equal("send=0 wait=1 receive=1 time=2", Timings(entry));
    }

    [Fact]
    public void A_request_that_got_no_response_has_a_response_body_size_that_is_not_known_not_zero()
    {
        // HAR 1.2: bodySize is -1 when the size is not available; 0 would claim an empty answer that never came.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "unanswered.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /hang HTTP/1.1\r\nHost: har.test\r\n\r\n")
            .Close(500);
        var response = OnlyEntry(rec.Save()).GetProperty("response");

        Assert.Equal(0, response.GetProperty("status").GetInt32());
        Assert.Equal(-1, response.GetProperty("bodySize").GetInt64());
    }

    private static string Timings(JsonElement entry)
    {
        var t = entry.GetProperty("timings");
        return $"send={t.GetProperty("send").GetDouble()} wait={t.GetProperty("wait").GetDouble()} " +
               $"receive={t.GetProperty("receive").GetDouble()} time={entry.GetProperty("time").GetDouble()}";
    }

    /// <summary>A recording of one exchange on one connection: the request at ms 1, the response at ms 2.</summary>
    private string Exchange(string request, string response) => Exchange(Latin1(request), Latin1(response));

    private string Exchange(byte[] request, byte[] response)
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, request)
            .ServerSends(2, response);
        return rec.Save();
    }

    /// <summary>An HTTP/2 connection from curl to 127.0.0.1:8080, both prefaces sent, and stream 1's request to har.test at
    /// ms 1, with no body; the response is the caller's.</summary>
    private static SyntheticRecording.Conn Http2Request(SyntheticRecording rec, string method, string path) =>
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(0, Frames.Concat(Frames.Preface, Frames.Settings()))
            .ServerSends(0.5, Frames.Concat(Frames.Settings(), Frames.SettingsAck()))
            .ClientSends(1, Frames.Headers(1, new HpackBlock().WithoutIndexing(":method", method).WithoutIndexing(":scheme", "https")
                .WithoutIndexing(":path", path).WithoutIndexing(":authority", "har.test").ToArray(), endStream: true));

    private JsonElement OnlyEntry(string db, params string[] options) => Assert.Single(Export([db], options).Entries);

    private (List<JsonElement> Entries, string Stderr) Export(string[] dbs, params string[] options) =>
        Analyze.Har(dbs, Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.har"), options);

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static byte[] Bytes(string head, byte[] body) => [.. Latin1(head), .. body];

    private static byte[] Gzip(byte[] bytes)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal)) gzip.Write(bytes);
        return output.ToArray();
    }
}
