using System.Text.Json;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>What the recorder stores for a server push that --deny keeps out: the PUSH_PROMISE and the pushed response's
/// HEADERS as sent (HPACK needs them), its DATA as an elided count, and the promised stream in denied_streams.</summary>
public sealed class DeniedPushTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_denied_push_is_left_out_and_the_page_that_promised_it_and_a_kept_push_are_listed_whole()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "denied-push.db"));
        var conn = rec.Connection("client", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080");
        conn.ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings(),
            Frames.Headers(1, new HpackBlock().Indexed(2).Indexed(6).WithoutIndexing(1, "push.test").WithoutIndexing(4, "/index.html").ToArray(), endStream: true)));
        conn.ServerSends(2, Frames.Concat(Frames.Settings(),
            Frames.PushPromise(1, 2, new HpackBlock().Indexed(2).Indexed(6).Incremental(1, "push.test").WithoutIndexing(4, "/secret.css").ToArray()),
            Frames.PushPromise(1, 4, new HpackBlock().Indexed(2).Indexed(6).Indexed(62).WithoutIndexing(4, "/style.css").ToArray()),
            Frames.Headers(1, new HpackBlock().Indexed(8).ToArray()), Frames.Data(1, "page", endStream: true),
            Frames.Headers(2, new HpackBlock().Indexed(8).ToArray())));
        conn.ServerElides(3, 9 + "PUSHEDDENIEDBODY".Length);
        conn.ServerSends(4, Frames.Concat(Frames.Headers(4, new HpackBlock().Indexed(8).ToArray()), Frames.Data(4, "kept", endStream: true)));
        conn.DenyStream(2);

        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [rec.Save(), "--list", "--json"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var exchanges = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(["GET push.test/index.html 200 stream 1 resp=4", "GET push.test/style.css 200 stream 4 resp=4"], exchanges.Select(e =>
            $"{e.GetProperty("method").GetString()} {e.GetProperty("host").GetString()}{e.GetProperty("path").GetString()} {e.GetProperty("status")} " +
            $"stream {e.GetProperty("stream_id")} resp={e.GetProperty("resp_bytes")}"));
        Assert.All(exchanges, e => Assert.Empty(e.GetProperty("flags").EnumerateArray()));
    }
}
