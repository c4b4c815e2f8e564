using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>A forking server accepts in the parent and serves in a child: an exchange (HTTP/1, or an HTTP/2 stream) names
/// the process that moved its request, so `--where pid=` finds it by the child that served it, as the chunks and the
/// pcapng name it.</summary>
public sealed class ForkedServerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_exchange_served_by_a_forked_child_names_the_child()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "fork.db"));
        rec.Connection("server", 10, "server", "127.0.0.1:8080", "127.0.0.1:50000")
            .MovedBy(11)
            .ClientSends(1, "GET /served-by-child HTTP/1.1\r\nHost: fork.test\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 204 No Content\r\n\r\n")
            .Close(3);
        string db = rec.Save();

        var exchange = Assert.Single(Analyze.ListJson(db, "--where", "pid=11"));
        Assert.Equal("/served-by-child", exchange.GetProperty("path").GetString());
        Assert.Empty(Analyze.ListJson(db, "--where", "pid=10"));
    }

    [Fact]
    public void An_exchange_served_by_a_process_the_fd_was_passed_to_has_that_process_name_not_the_openers()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "passed.db"));
        rec.Connection("launcher", 10, "server", "127.0.0.1:8080", "127.0.0.1:50000")
            .MovedBy(11, comm: "worker")
            .ClientSends(1, "GET /passed HTTP/1.1\r\nHost: fork.test\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 204 No Content\r\n\r\n")
            .Close(3);
        string db = rec.Save();

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal(("worker", 11), (exchange.GetProperty("comm").GetString(), exchange.GetProperty("pid").GetInt32()));
        Assert.Contains(" worker[11] ", Analyze.Output(db, "--list"));
    }

    [Fact]
    public void An_http2_stream_served_by_a_forked_child_names_the_child()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "fork-h2.db"));
        // Static table (RFC 7541 Appendix A): 2 :method GET, 6 :scheme http, 8 :status 200.
        rec.Connection("server", 10, "server", "127.0.0.1:8080", "127.0.0.1:50000")
            .MovedBy(11)
            .ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings(),
                Frames.Headers(1, new HpackBlock().Indexed(2).Indexed(6).WithoutIndexing(":authority", "fork.test").WithoutIndexing(":path", "/h2-child").ToArray(), endStream: true)))
            .ServerSends(2, Frames.Concat(Frames.Settings(), Frames.Headers(1, new HpackBlock().Indexed(8).ToArray(), endStream: true)))
            .Close(3);
        string db = rec.Save();

        var exchange = Assert.Single(Analyze.ListJson(db, "--where", "pid=11"));
        Assert.Equal("/h2-child", exchange.GetProperty("path").GetString());
        Assert.Empty(Analyze.ListJson(db, "--where", "pid=10"));
    }
}
