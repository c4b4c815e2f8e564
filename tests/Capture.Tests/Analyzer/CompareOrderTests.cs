using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// `--compare A B` answers "what got slower": the endpoints found in both recordings come first, the one whose median
/// (p50) grew most at the top, down to the ones that got faster; then the endpoints only B has (`new`), then those only
/// A had (`vanished`), each the busiest first. `--limit N` keeps the first N rows, so it keeps the worst regressions.
/// </summary>
public sealed class CompareOrderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A recording with one connection that asks each path in turn, each answered after the time given.</summary>
    private string Recording(string name, params (string Path, double Ms)[] calls)
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, name + ".db"));
        var conn = rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080");
        double at = 1;
        foreach (var (path, ms) in calls)
        {
            conn.ClientSends(at, $"GET {path} HTTP/1.1\r\nHost: compare.test\r\n\r\n")
                .ServerSends(at + ms, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            at += ms + 1;
        }
        conn.Close(at);
        return rec.Save();
    }

    private (string Before, string After) TwoRecordings() => (
        Recording("before", ("/slower", 10), ("/same", 5), ("/faster", 20), ("/gone", 3), ("/gone-busy", 3), ("/gone-busy", 3)),
        Recording("after", ("/new", 1), ("/slower", 100), ("/same", 5), ("/faster", 10), ("/new-busy", 2), ("/new-busy", 2)));

    private static IEnumerable<string> Rows(string before, string after, params string[] extra) =>
        Analyze.Output(before, [after, "--compare", "--csv", .. extra]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(','))
            .Select(cells => $"{cells[2]} {(cells[4].Length > 0 ? cells[4] : $"{cells[7]}->{cells[8]}")}");

    [Fact]
    public void Endpoints_in_both_recordings_come_first_the_biggest_slowdown_at_the_top_then_new_then_vanished()
    {
        var (before, after) = TwoRecordings();

        Assert.Equal(["/slower 10->100", "/same 5->5", "/faster 20->10", "/new-busy new", "/new new", "/gone-busy vanished", "/gone vanished"],
            Rows(before, after));
    }

    [Fact]
    public void Limit_keeps_the_biggest_slowdowns_not_the_new_or_vanished_endpoints()
    {
        var (before, after) = TwoRecordings();

        Assert.Equal(["/slower 10->100"], Rows(before, after, "--limit", "1"));
    }
}
