using System.Text;
using Capture.Recorder.Interop;
using Capture.Recorder.Redaction;

namespace Capture.Tests.Redaction;

/// <summary>A start line too long to be held whole (a request line past the hold) or kept whole (a status line past
/// the cap on lines that cannot be secret) still starts its message: the request is paired with its response and
/// judged by --allow/--deny, the response answers its request. Pairing one off would frame a HEAD response by its
/// Content-Length and skip the next response's head, Set-Cookie and all, as body.</summary>
public sealed class Http1OverlongStartLineTests
{
    private static readonly string LongPath = "/" + new string('p', DirectionFlow.MaxHeldBytes + 100);

    private const string HeadThenCookie =
        "HEAD /h HTTP/1.1\r\nHost: shop\r\n\r\n" +
        "GET /c HTTP/1.1\r\nHost: shop\r\n\r\n";

    /// <summary>The answer to the HEAD (a Content-Length, no body), then one that sets a cookie.</summary>
    private const string HeadAnswerThenCookie = Http1PairingTests.HeadAnswerThenCookie;

    [Fact]
    public void A_request_line_that_outgrows_the_hold_still_counts_as_the_request_its_response_answers()
    {
        string stored = new RedactionHarness()
            .Send(Direction.Egress, "GET " + LongPath)
            .Send(Direction.Egress, " HTTP/1.1\r\nHost: shop\r\n\r\n" + HeadThenCookie)
            .Send(Direction.Ingress, "HTTP/1.1 414 URI Too Long\r\nContent-Length: 0\r\n\r\n" + HeadAnswerThenCookie)
            .Close()
            .StoredText(Direction.Ingress);

        Assert.DoesNotContain("SECRETPAIRED", stored);
    }

    [Theory]
    [InlineData(new[] { "*" }, new string[0])]
    [InlineData(new string[0], new[] { "nothing.example/*" })]
    public void A_request_line_that_outgrows_the_hold_is_elided_with_its_response_whatever_the_patterns(string[] allow, string[] deny)
    {
        string first = "GET " + LongPath;
        string rest = "/more HTTP/1.1\r\nHost: shop\r\nContent-Length: 6\r\n\r\nDENIED";
        const string next = "GET /next HTTP/1.1\r\nHost: shop\r\n\r\n";
        const string response = "HTTP/1.1 414 URI Too Long\r\nContent-Length: 4\r\n\r\nlong";
        const string nextResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        var harness = new RedactionHarness(allow: allow, deny: deny)
            .Send(Direction.Egress, first).Send(Direction.Egress, rest + next)
            .Send(Direction.Ingress, response + nextResponse)
            .Close();

        Assert.Equal([(0, first.Length + rest.Length)], harness.Elided[Direction.Egress]);
        Assert.Equal(next, harness.StoredText(Direction.Egress));
        Assert.Equal([(0, response.Length)], harness.Elided[Direction.Ingress]);
        Assert.Equal(nextResponse, harness.StoredText(Direction.Ingress));
    }

    [Fact]
    public void A_request_line_that_outgrows_the_hold_has_the_rest_of_its_target_stored_as_filler()
    {
        string stored = new RedactionHarness()
            .Send(Direction.Egress, "GET " + LongPath)
            .Send(Direction.Egress, "?token=SECRETTOKEN HTTP/1.1\r\nCookie: a=SECRETCOOKIE\r\nHost: shop\r\n\r\n")
            .Close()
            .StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRET", stored);
        Assert.Contains(new string('*', "?token=SECRETTOKEN HTTP/1.1".Length) + "\r\nCookie: a=", stored);
    }

    /// <summary>Cuts every 8000 bytes up to <paramref name="length"/>, as a server writing a long line in pieces would.</summary>
    private static int[] InPieces(int length) => Enumerable.Range(1, length / 8000).Select(i => i * 8000).ToArray();

    [Fact]
    public void A_status_line_longer_than_the_line_cap_still_answers_its_request()
    {
        string longReason = new('R', 3 * 8192);
        string stored = new RedactionHarness()
            .Send(Direction.Egress, "GET /a HTTP/1.1\r\nHost: shop\r\n\r\n" + HeadThenCookie)
            .SendSplit(Direction.Ingress, Encoding.ASCII.GetBytes("HTTP/1.1 200 " + longReason + "\r\nContent-Length: 4\r\n\r\nok\r\n" + HeadAnswerThenCookie), InPieces(longReason.Length))
            .Close()
            .StoredText(Direction.Ingress);

        Assert.DoesNotContain("SECRETPAIRED", stored);
    }

    [Fact]
    public void A_status_line_longer_than_the_line_cap_is_elided_when_its_request_was_denied()
    {
        string response = "HTTP/1.1 403 " + new string('R', DirectionFlow.MaxHeldBytes + 10000) + "\r\nContent-Length: 4\r\n\r\nnope";
        const string nextResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        var harness = new RedactionHarness(deny: ["*/admin"])
            .Send(Direction.Egress, "GET /admin HTTP/1.1\r\nHost: shop\r\n\r\nGET /b HTTP/1.1\r\nHost: shop\r\n\r\n")
            .SendSplit(Direction.Ingress, Encoding.ASCII.GetBytes(response + nextResponse), InPieces(response.Length))
            .Close();

        Assert.Equal([(0, response.Length)], harness.Elided[Direction.Ingress]);
        Assert.Equal(nextResponse, harness.StoredText(Direction.Ingress));
    }
}
