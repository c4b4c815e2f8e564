using System.Text;
using Capture.Recorder.Interop;

namespace Capture.Tests.Redaction;

/// <summary>An HTTP/1 Host with userinfo ("user:password@host", which RFC 9110 §4.2.4 forbids, sent by broken clients): the
/// userinfo is a credential, replaced as in an absolute-form target and as in HTTP/2's :authority, the host kept; and
/// --allow/--deny cannot tell which host a server takes from it, so every reading must pass the patterns.</summary>
public sealed class Http1HostUserInfoTests
{
    private const string Request = "GET /a HTTP/1.1\r\nHost: alice:SECRETPW1@shop.example\r\n\r\n";
    private const string Response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private static RedactionHarness Run(string request, string[]? allow = null, string[]? deny = null, params int[] cuts)
    {
        var harness = new RedactionHarness(allow: allow, deny: deny);
        harness.SendSplit(Direction.Egress, Encoding.ASCII.GetBytes(request), cuts);
        harness.SendSplit(Direction.Ingress, Encoding.ASCII.GetBytes(Response), []);
        return harness.Close();
    }

    [Fact]
    public void The_userinfo_of_a_host_is_replaced_at_its_length_and_the_host_kept_wherever_the_chunks_are_cut()
    {
        for (int cut = 0; cut < Request.Length; cut++)
        {
            string stored = Run(Request, cuts: cut == 0 ? [] : [cut]).StoredText(Direction.Egress);
            Assert.Equal(Request.Length, stored.Length);
            Assert.DoesNotContain("SECRETPW1", stored);
            Assert.DoesNotContain("alice", stored);
            Assert.Contains("Host: ", stored);
            Assert.Contains("@shop.example\r\n", stored);
        }
    }

    [Fact]
    public void A_host_without_userinfo_is_stored_as_sent()
    {
        const string plain = "GET /a HTTP/1.1\r\nHost: shop.example:8080\r\n\r\n";
        Assert.Equal(plain, Run(plain).StoredText(Direction.Egress));
    }

    [Theory]
    [InlineData("Host: alice:pw@denied.example")]   // the host after the '@', as a proxy reads it
    [InlineData("Host: denied.example:1@other.example")] // the userinfo, as a server splitting host from port at ':' reads it
    public void A_deny_that_matches_any_reading_of_the_host_keeps_the_request_out(string host)
    {
        string request = $"GET /a HTTP/1.1\r\n{host}\r\n\r\n";
        var harness = Run(request, deny: ["denied.example*/*"]);
        Assert.Equal([(0L, (long)request.Length)], harness.Elided[Direction.Egress]);
    }

    [Fact]
    public void Under_allow_every_reading_of_the_host_must_be_allowed()
    {
        string request = "GET /a HTTP/1.1\r\nHost: shop.example:1@evil.example\r\n\r\n";
        var harness = Run(request, allow: ["shop.example*/*"]);
        Assert.Equal([(0L, (long)request.Length)], harness.Elided[Direction.Egress]);
    }
}
