using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// HTTP/2 multiplexes streams, so frames the kernel dropped leave no trace inside the streams around them: a stream whose
/// response (or the end of its request) fell wholly in a hole simply never finishes, and a response whose request was
/// lost has no request. Such streams are flagged `gap` as well as `incomplete` or `no_request`, so that lost bytes are
/// not read as a server that never answered; streams that finished whole before and after the hole are exact.
/// </summary>
public sealed class Http2LostFramesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Request(int stream, string path) => Frames.Headers(stream, new HpackBlock().WithoutIndexing(":method", "GET")
        .WithoutIndexing(":scheme", "http").WithoutIndexing(":path", path).WithoutIndexing(":authority", "h2.test").ToArray(), endStream: true);

    private static byte[] Response(int stream) => Frames.Concat(
        Frames.Headers(stream, new HpackBlock().WithoutIndexing(":status", "200").ToArray()), Frames.Data(stream, "ok", endStream: true));

    private static IEnumerable<string> Flags(string db) => Analyze.ListJson(db).Select(e =>
        $"{e.GetProperty("path").GetString()} {e.GetProperty("status")} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]");

    [Fact]
    public void A_stream_whose_response_was_dropped_whole_is_flagged_gap_not_only_incomplete()
    {
        var rec = new SyntheticRecording(_dir.File("lost-response.db"));
        rec.Connection("h2load", 20, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings(), Request(1, "/one"))).ServerSends(2, Frames.Concat(Frames.Settings(), Response(1)))
            .ClientSends(3, Frames.Concat(Request(3, "/two"), Request(5, "/three")))
            .ServerLoses(Response(3).Length).ServerSends(5, Response(5))
            .ClientSends(6, Request(7, "/four")).ServerSends(7, Response(7));

        Assert.Equal(["/one 200 []", "/two  [incomplete,gap]", "/three 200 []", "/four 200 []"], Flags(rec.Save()));
    }

    [Fact]
    public void A_response_whose_request_was_dropped_is_flagged_gap_as_well_as_no_request()
    {
        var rec = new SyntheticRecording(_dir.File("lost-request.db"));
        rec.Connection("nghttpd", 21, "server", "127.0.0.1:8080", "127.0.0.1:50000")
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings(), Request(1, "/one"))).ServerSends(2, Frames.Concat(Frames.Settings(), Response(1)))
            .ClientLoses(Request(3, "/two").Length).ServerSends(4, Response(3))
            .ClientSends(5, Request(5, "/three")).ServerSends(6, Response(5));

        Assert.Equal(["/one 200 []", " 200 [incomplete,no_request,gap]", "/three 200 []"], Flags(rec.Save()));
    }
}
