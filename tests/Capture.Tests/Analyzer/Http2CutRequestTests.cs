using System.Text.Json;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// An HTTP/2 request whose field block was cut before its first whole field (by the per-call cap, or by the end of the
/// recording) was still sent: its HEADERS frame opened the stream. It shows as a request whose method, path and fields
/// are unknown, flagged for the cut (`truncated` for the cap, `incomplete` for the recording's end), never `no_request`,
/// which says the request was not captured at all.
/// </summary>
public sealed class Http2CutRequestTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Describe(JsonElement e) =>
        $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} {e.GetProperty("status")} " +
        $"[{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]";

    private static byte[] Post(int stream, (bool, int, int)? priority = null) => Frames.Headers(stream, new HpackBlock()
        .WithoutIndexing(":method", "POST").WithoutIndexing(":scheme", "https").WithoutIndexing(":authority", "cap.test")
        .WithoutIndexing(":path", "/upload").ToArray(), endStream: true, priority: priority);

    private static byte[] Ok(int stream) => Frames.Headers(stream, new HpackBlock().WithoutIndexing(":status", "200").ToArray(), endStream: true);

    private SyntheticRecording.Conn Connection(SyntheticRecording rec) =>
        rec.Connection("curl", 11, "client", "127.0.0.1:50002", "127.0.0.1:8443")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings()))
            .ServerSends(2, Frames.Concat(Frames.Settings(), Frames.SettingsAck()));

    [Fact]
    public void A_request_block_the_cap_cut_inside_its_first_field_is_a_truncated_request_not_no_request()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "cap.db"));
        Connection(rec).ClientSendsCapped(3, Post(1), captured: 9 + 4).ServerSends(4, Ok(1)).Close(5);
        string db = rec.Save();

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal("  200 [truncated]", Describe(exchange));
        Assert.Contains("  (request fields not captured) http://", Analyze.Output(db, "show", exchange.GetProperty("id").ToString()));
    }

    [Fact]
    public void A_request_block_the_cap_cut_inside_its_priority_fields_is_a_truncated_request_not_no_request()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "priority.db"));
        Connection(rec).ClientSendsCapped(3, Post(1, priority: (false, 0, 256)), captured: 9 + 2).ServerSends(4, Ok(1)).Close(5);

        Assert.Equal(["  200 [truncated]"], Analyze.ListJson(rec.Save()).Select(Describe));
    }

    [Fact]
    public void A_request_block_the_recording_ended_in_is_an_incomplete_request_not_no_request()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "end.db"));
        Connection(rec).ClientSends(3, Post(1)[..(9 + 4)]);

        Assert.Equal(["   [incomplete]"], Analyze.ListJson(rec.Save()).Select(Describe));
    }
}
