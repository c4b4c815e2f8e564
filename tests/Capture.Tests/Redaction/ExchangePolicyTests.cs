using System.Text;
using Capture.Recorder.Interop;
using Capture.Recorder.Redaction;

namespace Capture.Tests.Redaction;

/// <summary>--allow/--deny at capture time: a denied exchange's bytes, request and response, are stored as one elided
/// count each, found by following HTTP/1 framing, so that its neighbours on the same connection are untouched.</summary>
public sealed class ExchangePolicyTests
{
    private const string Requests =
        "GET /a HTTP/1.1\r\nHost: shop:8080\r\n\r\n" +
        "POST /health/check HTTP/1.1\r\nHost: shop:8080\r\nContent-Length: 5\r\n\r\nHELLO" +
        "GET /b HTTP/1.1\r\nHost: shop:8080\r\n\r\n";

    private const string Responses =
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" +
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nHEALTHY\r\n0\r\n\r\n" +
        "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope";

    private static (long, long) Range(string stream, string first, string next) =>
        (stream.IndexOf(first, StringComparison.Ordinal), stream.IndexOf(next, StringComparison.Ordinal));

    private static RedactionHarness Run(string[]? allow, string[]? deny, int requestCut = 0, int responseCut = 0)
    {
        var harness = new RedactionHarness(allow: allow, deny: deny);
        harness.SendSplit(Direction.Egress, Encoding.ASCII.GetBytes(Requests), requestCut > 0 && requestCut < Requests.Length ? [requestCut] : []);
        harness.SendSplit(Direction.Ingress, Encoding.ASCII.GetBytes(Responses), responseCut > 0 && responseCut < Responses.Length ? [responseCut] : []);
        return harness.Close();
    }

    [Fact]
    public void A_denied_request_and_its_response_are_stored_as_elided_counts_and_their_neighbours_whole()
    {
        var harness = Run(allow: null, deny: ["*/health/*"]);

        var (requestFrom, requestTo) = Range(Requests, "POST", "GET /b");
        var (responseFrom, responseTo) = Range(Responses, "HTTP/1.1 100", "HTTP/1.1 404");
        Assert.Equal([(requestFrom, requestTo)], harness.Elided[Direction.Egress]);
        Assert.Equal([(responseFrom, responseTo)], harness.Elided[Direction.Ingress]);
        Assert.Equal(Requests.Remove((int)requestFrom, (int)(requestTo - requestFrom)), harness.StoredText(Direction.Egress));
        Assert.Equal(Responses.Remove((int)responseFrom, (int)(responseTo - responseFrom)), harness.StoredText(Direction.Ingress));
    }

    [Fact]
    public void The_decision_is_the_same_wherever_the_chunks_are_cut()
    {
        var whole = Run(allow: null, deny: ["POST shop:8080/health*"]);
        for (int cut = 1; cut < Math.Max(Requests.Length, Responses.Length); cut++)
        {
            var split = Run(allow: null, deny: ["POST shop:8080/health*"], cut, cut);
            Assert.Equal(whole.Elided[Direction.Egress], split.Elided[Direction.Egress]);
            Assert.Equal(whole.Elided[Direction.Ingress], split.Elided[Direction.Ingress]);
            Assert.Equal(whole.StoredText(Direction.Ingress), split.StoredText(Direction.Ingress));
        }
    }

    [Theory]
    [InlineData(new[] { "*/a", "*/b" }, new string[0], "POST")]
    [InlineData(new[] { "GET *" }, new string[0], "POST")]
    [InlineData(new string[0], new[] { "GET */b", "get */a" }, "GET /a,GET /b")]
    [InlineData(new[] { "shop:8080/*" }, new[] { "*/b" }, "GET /b")]
    [InlineData(new[] { "other/*" }, new string[0], "GET /a,POST,GET /b")]
    public void Allow_keeps_only_what_matches_and_deny_wins(string[] allow, string[] deny, string expected)
    {
        var harness = Run(allow, deny);
        // Each exchange: where its request and its response begin.
        var exchanges = new[] { ("GET /a", "HTTP/1.1 200 OK\r\nContent-Length: 2"), ("POST", "HTTP/1.1 100"), ("GET /b", "HTTP/1.1 404") };
        bool Elided(Direction direction, string stream, string start) =>
            harness.Elided[direction].Any(r => r.From <= stream.IndexOf(start, StringComparison.Ordinal) && stream.IndexOf(start, StringComparison.Ordinal) < r.To);

        Assert.Equal(expected, string.Join(",", exchanges.Where(e => Elided(Direction.Egress, Requests, e.Item1)).Select(e => e.Item1)));
        Assert.All(exchanges, e => Assert.Equal(Elided(Direction.Egress, Requests, e.Item1), Elided(Direction.Ingress, Responses, e.Item2)));
    }

    /// <summary>Sends one request (then another) under the given patterns; true when the first was elided.</summary>
    private static bool Denies(string request, string[]? allow = null, string[]? deny = null)
    {
        var harness = new RedactionHarness(allow: allow, deny: deny)
            .Send(Direction.Egress, request + "GET /next HTTP/1.1\r\nHost: kept.example\r\n\r\n")
            .Close();
        return harness.Elided[Direction.Egress].Any(r => r.From == 0 && r.To >= request.Length);
    }

    [Theory]
    [InlineData("POST http://evil.example/upload HTTP/1.1\r\nHost: evil.example\r\nContent-Length: 4\r\n\r\nBODY")]
    [InlineData("POST http://evil.example/upload?x=1 HTTP/1.1\r\nHost: good.example\r\n\r\n")] // the target's authority wins
    [InlineData("GET HTTP://user:pw@evil.example/upload HTTP/1.1\r\n\r\n")]                        // without its userinfo
    public void An_absolute_form_target_is_matched_by_its_own_authority_and_path(string request)
    {
        Assert.True(Denies(request, deny: ["evil.example/upload"]));
        Assert.False(Denies(request, allow: ["evil.example/*"]));
    }

    [Fact]
    public void An_absolute_form_target_without_a_path_is_matched_as_the_root()
    {
        Assert.True(Denies("GET http://evil.example:8080 HTTP/1.1\r\nHost: evil.example:8080\r\n\r\n", deny: ["evil.example:8080/"]));
    }

    [Fact]
    public void A_connect_is_matched_by_its_authority_with_an_empty_path()
    {
        const string connect = "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n";
        Assert.True(Denies(connect, deny: ["CONNECT evil.example:443"]));
        Assert.False(Denies(connect, deny: ["*/*"]));
    }

    [Fact]
    public void With_two_host_fields_the_first_is_matched()
    {
        Assert.True(Denies("GET /d HTTP/1.1\r\nHost: evil.example\r\nHost: good.example\r\n\r\n", deny: ["evil.example/*"]));
    }

    [Theory]
    [InlineData(new[] { "*" }, new string[0])]
    [InlineData(new string[0], new[] { "nothing.example/*" })]
    public void A_request_head_that_outgrows_the_hold_before_its_host_arrives_is_elided_whatever_the_patterns(string[] allow, string[] deny)
    {
        string head = "POST /up HTTP/1.1\r\nX-Pad: " + new string('p', DirectionFlow.MaxHeldBytes / 2) + "\r\n";
        string more = "X-Pad: " + new string('p', DirectionFlow.MaxHeldBytes / 2) + "\r\nAuthoriz";
        const string rest = "ation: Bearer SECRETF8\r\nHost: shop\r\nContent-Length: 6\r\n\r\nDENIED";
        var harness = new RedactionHarness(allow: allow, deny: deny)
            .Send(Direction.Egress, head).Send(Direction.Egress, more).Send(Direction.Egress, rest)
            .Close();

        Assert.Equal([(0, head.Length + more.Length + rest.Length)], harness.Elided[Direction.Egress]);
        Assert.Equal("", harness.StoredText(Direction.Egress));
    }

    [Fact]
    public void A_denied_request_whose_chunked_framing_breaks_is_elided_to_the_connections_end()
    {
        // "HELLOX" overruns its chunk: the body's end cannot be found, and a line in it looks like a request.
        const string request = "POST /admin HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHELLOX\r\n" +
            "GET /x HTTP/1.1\r\n\r\nDENIEDBODY\r\n";
        var harness = new RedactionHarness(deny: ["*/admin"]).Send(Direction.Egress, request).Close();

        Assert.Equal([(0, request.Length)], harness.Elided[Direction.Egress]);
    }

    [Fact]
    public void Without_patterns_nothing_is_elided_or_held()
    {
        var policy = new ExchangePolicy([], []);
        Assert.True(policy.IsEmpty);
        var harness = Run(allow: null, deny: null);
        Assert.Empty(harness.Elided[Direction.Egress]);
        Assert.Equal(Requests, harness.StoredText(Direction.Egress));
    }
}
