using Capture.Recorder.Redaction;

namespace Capture.Tests.Redaction;

/// <summary>--allow and --deny judge a path as the server will resolve it: percent-encoding decoded, repeated slashes
/// merged, dot segments removed. A --deny also matches the path as sent; an --allow only the resolved one.</summary>
public sealed class ResolvedPathPolicyTests
{
    [Theory]
    [InlineData("/%61dmin", "/admin")]
    [InlineData("/public/../admin", "/admin")]
    [InlineData("/public/%2E%2E/admin/", "/admin/")]
    [InlineData("//admin/./panel", "/admin/panel")]
    [InlineData("/../../admin", "/admin")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/100%", "/100%")]
    [InlineData("/plain/path", "/plain/path")]
    public void A_path_resolves_as_a_server_resolves_it(string sent, string resolved) =>
        Assert.Equal(resolved, RequestPath.Normalize(sent));

    [Theory]
    [InlineData("/%61dmin/users")]
    [InlineData("/public/../admin/users")]
    [InlineData("//admin/users")]
    public void A_denied_path_spelled_another_way_is_still_denied(string path) =>
        Assert.False(new ExchangePolicy([], ["*/admin/*"]).Keeps("GET", "shop", path));

    [Fact]
    public void An_allowed_prefix_does_not_let_a_path_climb_out_of_it()
    {
        var policy = new ExchangePolicy(["*/public/*"], []);
        Assert.True(policy.Keeps("GET", "shop", "/public/logo.png"));
        Assert.False(policy.Keeps("GET", "shop", "/public/../admin/users"));
    }

    [Fact]
    public void A_deny_written_for_the_raw_form_still_matches_it() =>
        Assert.False(new ExchangePolicy([], ["*/static/%7Euser*"]).Keeps("GET", "shop", "/static/%7Euser/index.html"));
}
