using Capture.Analyzer.Exchanges;
using Capture.Analyzer.Query;
using Capture.Recorder.Redaction;

namespace Capture.Tests.Redaction;

/// <summary>Globs with several '*' are matched against request targets that come from the traffic: a long target built
/// to make a backtracking matcher try every split (a path of 30,000 "/a" segments against "*/a/*/a/*/a/*/b*") still gets
/// its answer, both in the recorder's --allow/--deny and in analyze's --where. The timeout only turns a hang into a failure.</summary>
public sealed class HostileTargetGlobTests
{
    private static readonly string HostilePath = string.Concat(Enumerable.Repeat("/a", 30_000));

    [Fact(Timeout = 60_000)]
    public async Task A_deny_pattern_answers_for_a_target_built_to_make_it_backtrack()
    {
        var policy = new ExchangePolicy([], ["*/a/*/a/*/a/*/b*"]);
        Assert.True(await Task.Run(() => policy.Keeps("GET", "shop", HostilePath), TestContext.Current.CancellationToken));
        Assert.False(policy.Keeps("GET", "shop", HostilePath + "/b"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_where_glob_answers_for_a_path_built_to_make_it_backtrack()
    {
        var filter = ExchangeFilter.Parse(["path=*/a/*/a/*/a/*/b*"]);
        Assert.False(await Task.Run(() => filter.Matches(ExchangeOn(HostilePath)), TestContext.Current.CancellationToken));
        Assert.True(filter.Matches(ExchangeOn(HostilePath + "/b")));
    }

    [Fact]
    public void A_star_spans_a_line_feed_in_a_path_in_where_as_in_deny()
    {
        const string path = "/admin\n/x"; // an HTTP/2 :path may carry any octet
        Assert.False(new ExchangePolicy([], ["shop/admin*"]).Keeps("GET", "shop", path));
        Assert.True(ExchangeFilter.Parse(["path=/admin*"]).Matches(ExchangeOn(path)));
    }

    private static Exchange ExchangeOn(string path) => new()
    {
        ConnectionId = 1, Timestamp = DateTimeOffset.UnixEpoch, StartNs = 0, DurationMs = 1, Pid = 1, Comm = "curl", Side = "client",
        Protocol = "HTTP/1.1", Flags = [], Local = "127.0.0.1:50000", Remote = "127.0.0.1:80", Method = "GET", Path = path,
    };
}
