using Capture.Analyzer.Exchanges;
using Capture.Analyzer.Query;

namespace Capture.Tests.Analyzer;

/// <summary>`--where flag=GLOB` keeps the exchanges that carry a flag matching the glob (any case), `flag!=GLOB`
/// those that carry none; the glob is the whole value, as for text fields with one alternative.</summary>
public sealed class WhereFlagTests
{
    [Theory]
    [InlineData("flag=truncated", new[] { "truncated" }, true)]
    [InlineData("flag=TRUNC*", new[] { "gap", "truncated" }, true)]
    [InlineData("flag=trunc", new[] { "truncated" }, false)]
    [InlineData("flag=?ap", new[] { "gap" }, true)]
    [InlineData("flag=*", new string[0], false)]
    [InlineData("flag!=gap", new[] { "truncated" }, true)]
    [InlineData("flag!=g*", new[] { "truncated", "gap" }, false)]
    [InlineData("flag!=*", new string[0], true)]
    public void A_flag_condition_matches_any_of_an_exchanges_flags_by_glob(string condition, string[] flags, bool kept) =>
        Assert.Equal(kept, ExchangeFilter.Parse([condition]).Matches(ExchangeWith(flags)));

    [Fact]
    public void A_flag_condition_with_an_order_is_refused_in_one_line()
    {
        var error = Assert.Throws<FilterException>(() => ExchangeFilter.Parse(["flag>=gap"]));
        Assert.Equal("--where flag>=gap: flag takes = or !=", error.Message);
    }

    private static Exchange ExchangeWith(string[] flags) => new()
    {
        ConnectionId = 1, Timestamp = DateTimeOffset.UnixEpoch, StartNs = 0, DurationMs = 1, Pid = 1, Comm = "curl", Side = "client",
        Protocol = "HTTP/1.1", Flags = flags, Local = "127.0.0.1:50000", Remote = "127.0.0.1:80", Method = "GET", Path = "/",
    };
}
