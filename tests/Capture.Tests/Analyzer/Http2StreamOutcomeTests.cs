using System.Text.Json;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// How an HTTP/2 stream ended decides what `--errors`, `--slowest` and `--stats` say about it: whether it completed,
/// whether it counts as an error, and when it ended (README, "Analyzer output").
/// </summary>
public sealed class Http2StreamOutcomeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Request(int stream, string method, string path, bool endStream, params (string Name, string Value)[] fields)
    {
        var block = new HpackBlock().WithoutIndexing(":method", method).WithoutIndexing(":scheme", "http")
            .WithoutIndexing(":path", path).WithoutIndexing(":authority", "h2.test");
        foreach (var (name, value) in fields) block = block.WithoutIndexing(name, value);
        return Frames.Headers(stream, block.ToArray(), endStream);
    }

    private static byte[] Status(int stream, string status, bool endStream = false, params (string Name, string Value)[] fields)
    {
        var block = new HpackBlock().WithoutIndexing(":status", status);
        foreach (var (name, value) in fields) block = block.WithoutIndexing(name, value);
        return Frames.Headers(stream, block.ToArray(), endStream);
    }

    private (SyntheticRecording Recording, SyntheticRecording.Conn Conn) Connection(string name)
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, name + ".db"));
        var conn = rec.Connection("client", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080");
        conn.ClientSends(0, Frames.Concat(Frames.Preface, Frames.Settings())).ServerSends(0.5, Frames.Concat(Frames.Settings(), Frames.SettingsAck()));
        return (rec, conn);
    }

    private static string Describe(JsonElement e) =>
        $"{e.GetProperty("path").GetString()} {e.GetProperty("status")} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]";

    [Fact]
    public void A_whole_response_then_RST_STREAM_NO_ERROR_before_the_request_ended_is_a_complete_exchange_and_no_error()
    {
        // RFC 9113 §8.1: a server may answer before the request is all sent, then ask the client to stop sending
        // "without error" with RST_STREAM(NO_ERROR). The exchange is done: its answer was whole.
        var (rec, conn) = Connection("early-answer");
        conn.ClientSends(1, Frames.Concat(Request(1, "POST", "/upload", endStream: false), Frames.Data(1, "first part of a large body")));
        conn.ServerSends(3, Frames.Concat(Status(1, "200"), Frames.Data(1, "stored", endStream: true), Frames.RstStream(1, 0)));
        conn.Close(10);
        string db = rec.Save();

        Assert.Equal(["/upload 200 []"], Analyze.ListJson(db).Select(Describe));
        Assert.Equal("no exchanges", Analyze.Output(db, "--errors").Trim());
    }

    [Fact]
    public void A_200_whose_DATA_falls_short_of_its_content_length_is_malformed_and_an_error()
    {
        // RFC 9113 §8.1.1: the client treats it as a stream error; the body it kept is not the one the status announced.
        var (rec, conn) = Connection("short-body");
        conn.ClientSends(1, Request(1, "GET", "/report.pdf", endStream: true));
        conn.ServerSends(3, Frames.Concat(Status(1, "200", endStream: false, ("content-length", "100")), Frames.Data(1, "first 19 bytes only", endStream: true)));
        conn.Close(10);
        string db = rec.Save();

        Assert.Equal(["/report.pdf 200 [malformed]"], Analyze.ListJson(db).Select(Describe));
        Assert.Contains("/report.pdf", Analyze.Output(db, "--errors"));
    }

    [Fact]
    public void A_stream_reset_before_its_response_ended_lasts_until_the_reset_not_until_its_connection_closed()
    {
        // A gRPC channel lives for minutes; a call cancelled after 4 ms was shown lasting until the channel closed,
        // at the top of --slowest.
        var (rec, conn) = Connection("cancelled");
        conn.ClientSends(1, Request(1, "GET", "/cancelled", endStream: true));
        conn.ClientSends(5, Frames.RstStream(1, 8));
        conn.ClientSends(10, Request(3, "GET", "/streaming", endStream: true));
        conn.ServerSends(12, Frames.Concat(Status(3, "200"), Frames.Data(3, "first event")));
        conn.ServerSends(20, Frames.RstStream(3, 2));
        conn.ClientSends(30, Request(5, "GET", "/answered", endStream: true));
        conn.ServerSends(31, Status(5, "204", endStream: true));
        conn.Close(60_000);
        string db = rec.Save();

        Assert.Equal(["/cancelled 4 [incomplete,reset]", "/streaming 10 [incomplete,reset]", "/answered 1 []"],
            Analyze.ListJson(db).Select(e => $"{e.GetProperty("path").GetString()} {e.GetProperty("duration_ms").GetDouble()} " +
                                              $"[{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]"));
    }

    [Fact]
    public void A_stream_a_GOAWAY_left_unprocessed_lasts_until_the_GOAWAY()
    {
        // RFC 9113 §6.8: streams above the GOAWAY's Last-Stream-ID were not processed; the client retries them elsewhere.
        var (rec, conn) = Connection("goaway");
        conn.ClientSends(1, Frames.Concat(Request(1, "GET", "/served", endStream: true), Request(3, "GET", "/refused", endStream: true)));
        conn.ServerSends(2, Frames.Concat(Status(1, "200"), Frames.Data(1, "ok", endStream: true), Frames.GoAway(1, 0)));
        conn.Close(30_000);
        string db = rec.Save();

        Assert.Equal(["/served 1 []", "/refused 1 [incomplete,goaway]"],
            Analyze.ListJson(db).Select(e => $"{e.GetProperty("path").GetString()} {e.GetProperty("duration_ms").GetDouble()} " +
                                              $"[{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]"));
    }

    [Theory]
    [InlineData("no trailers: the last DATA frame ends the stream", null)]
    [InlineData("trailers without grpc-status", "x-trace: 1")]
    [InlineData("a grpc-status that is no number", "grpc-status: OK")]
    public void A_gRPC_call_whose_whole_response_carries_no_readable_grpc_status_is_an_error(string _, string? trailer)
    {
        // gRPC over HTTP/2 (PROTOCOL-HTTP2.md): every response ends with a status. A client given none fails the call
        // (INTERNAL: "server closed the stream without sending trailers"), whatever the HTTP status said.
        var (rec, conn) = Connection("grpc-no-status");
        conn.ClientSends(1, Frames.Concat(Request(1, "POST", "/shop.Inventory/Reserve", endStream: false, ("content-type", "application/grpc")),
            Frames.Data(1, Frames.Grpc("sku-1"), endStream: true)));
        var response = Frames.Concat(Status(1, "200", endStream: false, ("content-type", "application/grpc")),
            Frames.Data(1, Frames.Grpc("reserved"), endStream: trailer is null));
        if (trailer?.Split(": ") is [var name, var value])
            response = Frames.Concat(response, Frames.Headers(1, new HpackBlock().WithoutIndexing(name, value).ToArray(), endStream: true));
        conn.ServerSends(3, response);
        conn.Close(10);
        string db = rec.Save();

        Assert.Equal(["/shop.Inventory/Reserve 200 []"], Analyze.ListJson(db).Select(Describe));
        Assert.Contains("/shop.Inventory/Reserve", Analyze.Output(db, "--errors"));
    }
}
