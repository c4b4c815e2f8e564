using System.Text;
using Capture.Recorder.Interop;

namespace Capture.Tests.Redaction;

/// <summary>Request lines read as servers accept them, not only as RFC 9112 writes them: wherever a server finds the
/// target, redaction finds its query and --allow/--deny its path.</summary>
public sealed class Http1RequestLineTests
{
    private static string Redact(string stream, params int[] cuts) =>
        new RedactionHarness().SendSplit(Direction.Egress, Encoding.Latin1.GetBytes(stream), cuts).Close().StoredText(Direction.Egress);

    [Theory]
    [InlineData("GET  /?token=SECRETLINE HTTP/1.1\r\nHost: a\r\n\r\n")]     // two spaces, as nginx serves it
    [InlineData("GET\t/?token=SECRETLINE\tHTTP/1.1\r\nHost: a\r\n\r\n")]    // tabs
    [InlineData("GET /?token=SECRETLINE  \t HTTP/1.1\r\nHost: a\r\n\r\n")]  // a run before the version
    [InlineData("M-SEARCH /?token=SECRETLINE HTTP/1.1\r\nHost: a\r\n\r\n")] // any token is a method
    [InlineData("get /?token=SECRETLINE HTTP/1.1\r\nHost: a\r\n\r\n")]      // in lower case too
    [InlineData("GET /?password=SECRETLINE\r\n")]                            // HTTP/0.9: no version
    public void The_query_secret_of_a_request_line_servers_accept_is_replaced_wherever_the_chunks_are_cut(string request)
    {
        string whole = Redact(request);

        Assert.Equal(request.Length, whole.Length);
        Assert.DoesNotContain("SECRETLINE", whole);
        Assert.Contains("=", whole);
        for (int cut = 1; cut < request.Length; cut++) Assert.Equal(whole, Redact(request, cut));
    }

    [Theory]
    [InlineData("POST  /admin/users HTTP/1.1\r\nHost: shop\r\nContent-Length: 6\r\n\r\nDENIED")]
    [InlineData("M-SEARCH\t/admin HTTP/1.1\r\nHost: shop\r\nContent-Length: 6\r\n\r\nDENIED")]
    [InlineData("GET /admin\r\n")]
    public void Deny_sees_the_path_of_a_request_line_servers_accept(string request)
    {
        var harness = new RedactionHarness(deny: ["*/admin*"])
            .Send(Direction.Egress, request + "GET /public HTTP/1.1\r\nHost: shop\r\n\r\n")
            .Close();

        Assert.Equal([(0, request.Length)], harness.Elided[Direction.Egress]);
        Assert.DoesNotContain("admin", harness.StoredText(Direction.Egress));
    }

    [Fact]
    public void After_lost_bytes_a_request_line_that_arrives_in_pieces_is_held_until_its_query_can_be_replaced()
    {
        string stored = new RedactionHarness()
            .Send(Direction.Egress, "GET / HTTP/1.1\r\nHost: a\r\n")
            .Send(Direction.Egress, Encoding.ASCII.GetBytes("\r\nGET /?access_token=SECRETSPLIT"), lost: 10)
            .Send(Direction.Egress, "TAIL HTTP/1.1\r\nHost: a\r\n\r\n")
            .StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRETSPLIT", stored);
        Assert.Contains("GET /?access_token=", stored);
    }

    [Fact]
    public void A_line_of_a_body_that_lost_bytes_left_unframed_is_not_held_past_its_third_word()
    {
        // Read line by line after the loss: prose is stored as it comes, not held back as a start line might be (the
        // line the hole cut into is held to its end: it may be a secret field's rest, Http1UnseenLineStartTests).
        var harness = new RedactionHarness()
            .Send(Direction.Egress, "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n")
            .Send(Direction.Egress, Encoding.ASCII.GetBytes("end of a line\nsome words of prose that go on"), lost: 10);

        Assert.EndsWith("some words of prose that go on", harness.StoredText(Direction.Egress));
    }
}
