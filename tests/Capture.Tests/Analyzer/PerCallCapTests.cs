using System.Text;
using System.Text.Json;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// `record --max-capture-bytes N` stores the first N bytes of each call: the rest moved on the wire, in order, and
/// was not lost. A response cut that way is flagged `truncated` (not `gap`: nothing was dropped), keeps the size it
/// had on the wire, and keeps its status when the status line was captured; the exchanges after it on the connection
/// pair and parse as usual. Over HTTP/2 a frame the cap cut hides the frame boundaries after it: a stream that did not
/// end among the captured frames is `incomplete` and `truncated`; of a field block the cap cut, the fields before the cut
/// are kept (the status is first), and what the rest did to the HPACK table is unknown: later references to it are
/// `<unknown>`, flagged `hpack_context_lost`.
/// </summary>
public sealed class PerCallCapTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Describe(JsonElement e) =>
        $"{e.GetProperty("path").GetString()} {Status(e)} resp_bytes={e.GetProperty("resp_bytes")} " +
        $"[{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]";

    [Fact]
    public void A_response_whose_head_the_cap_cut_is_truncated_with_its_status_and_true_size()
    {
        // nginx's head is longer than the cap: Content-Length is among the bytes never stored.
        string head = "HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nDate: Mon, 23 Nov 2026 07:14:20 GMT\r\n" +
                      "Content-Type: application/octet-stream\r\nContent-Length: 40000\r\nConnection: keep-alive\r\n\r\n";
        byte[] response = Encoding.ASCII.GetBytes(head + new string('x', 40000));
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "cap.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /big.bin HTTP/1.1\r\nHost: cap.test\r\n\r\n")
            .ServerSendsCapped(2, response[..16384], captured: 100)
            .ServerSendsCapped(3, response[16384..32768], captured: 100)
            .ServerSendsCapped(4, response[32768..], captured: 100)
            .ClientSends(5, "GET /small HTTP/1.1\r\nHost: cap.test\r\n\r\n")
            .ServerSends(6, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .Close(7);
        string db = rec.Save();

        Assert.Equal([$"/big.bin 200 resp_bytes={response.Length} [truncated]", "/small 200 resp_bytes=40 []"],
            Analyze.ListJson(db).Select(Describe));
    }

    [Fact]
    public void A_request_that_began_in_bytes_the_cap_left_uncaptured_past_a_body_is_an_exchange_of_its_own_so_later_ones_keep_their_answers()
    {
        // One write held the rest of /a's body and the start of /b: the cap kept 3 bytes of the body, the 20 bytes of /b
        // after it moved uncaptured, and the next write began inside /b's head.
        const string A = "POST /a HTTP/1.1\r\nHost: cap.test\r\nContent-Length: 10\r\n\r\n0123456789", B = "GET /b HTTP/1.1\r\nHost: cap.test\r\n\r\n";
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "request-in-hole.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSendsCapped(1, Encoding.ASCII.GetBytes(A + B[..20]), captured: A.Length - 7)
            .ClientSends(2, B[20..])
            .ClientSends(3, "GET /c HTTP/1.1\r\nHost: cap.test\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            .ServerSends(5, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
            .ServerSends(6, "HTTP/1.1 203 Other\r\nContent-Length: 0\r\n\r\n")
            .Close(7);
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db);
        Assert.Equal([$"POST /a 201 req={A.Length} [truncated]", $"- - 202 req={B.Length} [truncated]", "GET /c 203 req=35 []"],
            exchanges.Select(DescribeRequest));
        Assert.Contains("  (request line not captured) http://127.0.0.1:8080\n",
            Analyze.Output(db, "show", exchanges[1].GetProperty("id").ToString()).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_request_whose_line_the_cap_cut_before_its_method_ended_keeps_its_place_so_later_ones_keep_their_answers()
    {
        // One write held all of /a and the start of /b: the cap kept 2 bytes of /b, "GE".
        const string A = "GET /a HTTP/1.1\r\nHost: cap.test\r\n\r\n", B = "GET /b HTTP/1.1\r\nHost: cap.test\r\n\r\n";
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "method-cut.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSendsCapped(1, Encoding.ASCII.GetBytes(A + B), captured: A.Length + 2)
            .ClientSends(2, "GET /c HTTP/1.1\r\nHost: cap.test\r\n\r\n")
            .ServerSends(3, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
            .ServerSends(5, "HTTP/1.1 203 Other\r\nContent-Length: 0\r\n\r\n")
            .Close(6);
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db);
        Assert.Equal(["GET /a 201 req=35 []", $"- - 202 req={B.Length} [truncated]", "GET /c 203 req=35 []"],
            exchanges.Select(DescribeRequest));
        Assert.Contains("  (request line not captured) http://127.0.0.1:8080\n",
            Analyze.Output(db, "show", exchanges[1].GetProperty("id").ToString()).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_response_that_began_in_bytes_the_cap_left_uncaptured_past_a_body_answers_its_own_request()
    {
        const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", NotFound = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "response-in-hole.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET /a HTTP/1.1\r\nHost: cap.test\r\n\r\nGET /b HTTP/1.1\r\nHost: cap.test\r\n\r\nGET /c HTTP/1.1\r\nHost: cap.test\r\n\r\n")
            .ServerSendsCapped(2, Encoding.ASCII.GetBytes(Ok + NotFound[..20]), captured: Ok.Length - 7)
            .ServerSends(3, NotFound[20..])
            .ServerSends(4, "HTTP/1.1 204 No Content\r\n\r\n")
            .Close(5);
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db);
        Assert.Equal([$"/a 200 resp_bytes={Ok.Length} [truncated]", $"/b - resp_bytes={NotFound.Length} [truncated]", "/c 204 resp_bytes=27 []"],
            exchanges.Select(Describe));
        Assert.Contains("  -> (status line not captured)\n",
            Analyze.Output(db, "show", exchanges[1].GetProperty("id").ToString()).ReplaceLineEndings("\n"));
    }

    private static string Status(JsonElement e) => e.GetProperty("status").ValueKind == JsonValueKind.Null ? "-" : e.GetProperty("status").ToString();

    private static string DescribeRequest(JsonElement e) =>
        $"{e.GetProperty("method").GetString() ?? "-"} {e.GetProperty("path").GetString() ?? "-"} {Status(e)} " +
        $"req={e.GetProperty("req_bytes")} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]";

    private static SyntheticRecording.Conn Http2Get(SyntheticRecording rec, string path) =>
        rec.Connection("curl", 11, "client", "127.0.0.1:50002", "127.0.0.1:8443")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings(), Frames.Headers(1, new HpackBlock()
                .WithoutIndexing(":method", "GET").WithoutIndexing(":scheme", "https").WithoutIndexing(":authority", "cap.test")
                .WithoutIndexing(":path", path).ToArray(), endStream: true)))
            .ServerSends(2, Frames.Concat(Frames.Settings(), Frames.SettingsAck()));

    [Fact]
    public void An_HTTP2_DATA_frame_the_cap_cut_is_stepped_over_and_the_stream_is_whole_and_truncated()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "h2data.db"));
        byte[] response = Frames.Concat(Frames.Headers(1, new HpackBlock().WithoutIndexing(":status", "200").ToArray()),
            Frames.Data(1, new string('x', 1000), endStream: true));
        Http2Get(rec, "/data").ServerSendsCapped(3, response, captured: 100).Close(4);
        string db = rec.Save();

        Assert.Equal(["/data 200 resp_bytes=1000 [truncated]"], Analyze.ListJson(db).Select(Describe));
    }

    [Fact]
    public void An_HTTP2_response_whose_field_block_the_cap_cut_keeps_its_status_and_is_incomplete_and_truncated_not_gap()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "h2head.db"));
        byte[] block = new HpackBlock().WithoutIndexing(":status", "200").WithoutIndexing("server", "nginx/1.24.0")
            .WithoutIndexing("date", "Mon, 23 Nov 2026 07:14:20 GMT").WithoutIndexing("content-type", "application/octet-stream")
            .WithoutIndexing("content-length", "16384").WithoutIndexing("last-modified", "Mon, 23 Nov 2026 06:43:00 GMT").ToArray();
        Assert.True(block.Length > 100);
        byte[] response = Frames.Concat(Frames.Headers(1, block), Frames.Data(1, new string('x', 8192)),
            Frames.Data(1, new string('y', 8192), endStream: true));
        Http2Get(rec, "/head").ServerSendsCapped(3, response, captured: 100).Close(4);
        string db = rec.Save();

        Assert.Equal(["/head 200 resp_bytes=0 [incomplete,truncated]"], Analyze.ListJson(db).Select(Describe));
    }

    [Fact]
    public void An_HTTP2_response_that_ended_in_its_cut_field_block_is_whole_and_truncated_and_later_blocks_never_show_a_wrong_field()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "h2table.db"));
        // The cut part adds (x-cache, MISS) to the server's table; the next response refers to it as index 62.
        byte[] block = new HpackBlock().WithoutIndexing(":status", "304").Incremental("etag", "\"5f3a-1c\"")
            .WithoutIndexing("date", "Mon, 23 Nov 2026 07:14:20 GMT").WithoutIndexing("last-modified", "Mon, 23 Nov 2026 06:43:00 GMT")
            .Incremental("x-cache", "MISS").ToArray();
        Assert.True(block.Length > 100);
        var conn = Http2Get(rec, "/cached")
            .ServerSendsCapped(3, Frames.Headers(1, block, endStream: true), captured: 100)
            .ClientSends(4, Frames.Headers(3, new HpackBlock().WithoutIndexing(2, "GET").WithoutIndexing(6, "https")
                .WithoutIndexing(1, "cap.test").WithoutIndexing(4, "/next").ToArray(), endStream: true))
            .ServerSends(5, Frames.Headers(3, new HpackBlock().WithoutIndexing(8, "200").Indexed(62).ToArray(), endStream: true));
        conn.Close(6);
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db);
        Assert.Equal(["/cached 304 resp_bytes=0 [truncated]", "/next 200 resp_bytes=0 [hpack_context_lost]"], exchanges.Select(Describe));
        var next = JsonDocument.Parse(Analyze.Output(db, "show", exchanges[1].GetProperty("id").ToString(), "--json")).RootElement;
        Assert.Equal([":status: 200", "<unknown>: <unknown>"],
            next.GetProperty("response_headers").EnumerateArray().Select(f => $"{f[0].GetString()}: {f[1].GetString()}"));
    }
}
