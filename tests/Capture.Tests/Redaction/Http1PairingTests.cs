using System.Text;
using Capture.Recorder.Interop;

namespace Capture.Tests.Redaction;

/// <summary>How a response is framed depends on the request it answers (HEAD, CONNECT): each response is paired with
/// its request, whatever the request's method, so that no response head is skipped as another's body.</summary>
public sealed class Http1PairingTests
{
    [Fact]
    public void A_request_of_an_unknown_method_keeps_the_responses_after_it_paired_with_their_requests()
    {
        const string responses =
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" +                               // M-SEARCH
            "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" +                            // HEAD: no body
            "HTTP/1.1 200 OK\r\nSet-Cookie: sid=SECRETPAIRED\r\nContent-Length: 2\r\n\r\nok"; // GET
        var harness = new RedactionHarness()
            .Send(Direction.Egress, "M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n")
            .Send(Direction.Ingress, responses)
            .Close();
        string stored = harness.StoredText(Direction.Ingress);

        Assert.Equal(responses.Length, stored.Length);
        Assert.DoesNotContain("SECRETPAIRED", stored);
    }

    /// <summary>Requests GET, HEAD, GET; the answers to the last two: the HEAD's (a Content-Length, no body), then one
    /// that sets a cookie.</summary>
    private const string GetHeadGet = "GET /a HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n";
    private const string FirstAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nok\r\n";
    internal const string HeadAnswerThenCookie =
        "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n" +
        "HTTP/1.1 200 OK\r\nSet-Cookie: sid=SECRETPAIRED\r\nContent-Length: 2\r\n\r\nok";

    [Fact]
    public void After_a_hole_that_took_a_response_head_no_later_response_head_is_skipped_as_another_ones_body()
    {
        // The answer to GET /a is seen only up to its status code: it is never paired with its request.
        string stored = new RedactionHarness()
            .Send(Direction.Egress, GetHeadGet)
            .Send(Direction.Ingress, FirstAnswer[..12])
            .Send(Direction.Ingress, Encoding.ASCII.GetBytes(HeadAnswerThenCookie), lost: FirstAnswer.Length - 12)
            .Close()
            .StoredText(Direction.Ingress);

        Assert.DoesNotContain("SECRETPAIRED", stored);
    }

    [Fact]
    public void A_denied_request_after_one_of_an_unknown_method_has_its_own_response_elided()
    {
        const string kept = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nkept";
        var harness = new RedactionHarness(deny: ["*/admin*"])
            .Send(Direction.Egress, "M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n")
            .Send(Direction.Ingress, kept + "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nDENIED")
            .Close();

        Assert.Equal(kept, harness.StoredText(Direction.Ingress));
    }

    [Fact]
    public void Plaintext_http_in_a_connect_tunnel_is_redacted_both_ways()
    {
        const string tunnelled = "GET /?token=SECRETTUNNELQ HTTP/1.1\r\nHost: site\r\nCookie: sid=SECRETTUNNELC\r\n\r\n";
        const string answer = "HTTP/1.1 200 OK\r\nSet-Cookie: sid=SECRETTUNNELS\r\nContent-Length: 2\r\n\r\nok";
        var harness = new RedactionHarness()
            .Send(Direction.Egress, "CONNECT site:80 HTTP/1.1\r\nHost: site:80\r\n\r\n" + tunnelled)
            .Send(Direction.Ingress, "HTTP/1.1 200 Connection established\r\n\r\n")
            .Send(Direction.Ingress, answer)
            .Close();

        Assert.DoesNotContain("SECRETTUNNEL", harness.StoredText(Direction.Egress));
        Assert.DoesNotContain("SECRETTUNNEL", harness.StoredText(Direction.Ingress));
        Assert.EndsWith("Content-Length: 2\r\n\r\nok", harness.StoredText(Direction.Ingress));
    }

    [Fact]
    public void Tls_in_a_connect_tunnel_is_stored_as_sent()
    {
        byte[] serverHello = [0x16, 0x03, 0x03, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00, 0x17, 0x03, 0x03, 0x00, 0x02, 0xab, 0xcd];
        const string established = "HTTP/1.1 200 Connection established\r\n\r\n";
        var harness = new RedactionHarness()
            .Send(Direction.Egress, "CONNECT site:443 HTTP/1.1\r\nHost: site:443\r\n\r\n")
            .Send(Direction.Ingress, [.. System.Text.Encoding.ASCII.GetBytes(established), .. serverHello])
            .Close();

        Assert.Equal(serverHello, harness.Stored(Direction.Ingress)[established.Length..]);
    }

    [Fact]
    public void A_denied_connect_has_its_tunnel_elided_both_ways()
    {
        const string connect = "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n";
        var harness = new RedactionHarness(deny: ["evil.example*"])
            .Send(Direction.Egress, connect + "TUNNELLEDBYTES")
            .Send(Direction.Ingress, "HTTP/1.1 200 Connection established\r\n\r\nTUNNELLEDBYTES")
            .Close();

        Assert.Equal("", harness.StoredText(Direction.Egress));
        Assert.Equal("", harness.StoredText(Direction.Ingress));
    }
}
