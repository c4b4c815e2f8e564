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
