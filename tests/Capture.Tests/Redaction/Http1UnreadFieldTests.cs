using System.Text;
using Capture.Recorder.Interop;

namespace Capture.Tests.Redaction;

/// <summary>A header line that framing or --allow/--deny read (Content-Length, Transfer-Encoding, Host) but that the
/// scanner cannot read whole fails closed: the message's end is not guessed (what follows is scanned line by line,
/// or, for a denied message, elided to the connection's end), and a request whose host could not be read is elided.
/// Such a line is one whose value lies past the 8 KiB kept of a line that cannot be secret while it arrives in pieces
/// (a Host line is held whole instead, as it may carry userinfo, and read: its request is denied all the same), or one
/// continued on an obs-fold line (RFC 9112 §5.2), which a user agent must join to it.</summary>
public sealed class Http1UnreadFieldTests
{
    /// <summary>Whitespace enough to push a field's value past what is kept of a line (OWS, RFC 9110 §5.6.3).</summary>
    private static readonly string Padding = new(' ', 3 * 8192);

    /// <summary>Sends <paramref name="text"/> in writes of 4000 bytes, so that its long line arrives in pieces.</summary>
    private static RedactionHarness SendInPieces(RedactionHarness harness, Direction direction, string text) =>
        harness.SendSplit(direction, Encoding.ASCII.GetBytes(text), Enumerable.Range(1, (text.Length - 1) / 4000).Select(i => i * 4000).ToArray());

    [Fact]
    public void A_host_field_whose_value_lies_past_the_kept_bytes_has_its_request_elided_when_patterns_are_given()
    {
        string request = "GET /x HTTP/1.1\r\nHost:" + Padding + "evil.example\r\n\r\n";
        var harness = SendInPieces(new RedactionHarness(deny: ["evil.example/*"]), Direction.Egress, request).Close();

        Assert.Equal([(0, request.Length)], harness.Elided[Direction.Egress]);
    }

    [Fact]
    public void A_transfer_encoding_whose_value_lies_past_the_kept_bytes_leaves_the_next_response_scanned()
    {
        string responses =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding:" + Padding + "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" +
            "HTTP/1.1 200 OK\r\nSet-Cookie: session=SECRETCOOKIE\r\nContent-Length: 0\r\n\r\n";
        var harness = new RedactionHarness().Send(Direction.Egress, "GET /a HTTP/1.1\r\nHost: shop\r\n\r\nGET /b HTTP/1.1\r\nHost: shop\r\n\r\n");
        string stored = SendInPieces(harness, Direction.Ingress, responses).Close().StoredText(Direction.Ingress);

        Assert.DoesNotContain("SECRETCOOKIE", stored);
        Assert.Contains("Set-Cookie: session=", stored);
    }

    [Fact]
    public void A_denied_request_whose_content_length_lies_past_the_kept_bytes_is_elided_to_the_end()
    {
        string request = "POST /admin HTTP/1.1\r\nHost: shop\r\nContent-Length:" + Padding + "6\r\n\r\nSECRET";
        var harness = SendInPieces(new RedactionHarness(deny: ["*/admin"]), Direction.Egress, request).Close();

        Assert.Equal([(0, request.Length)], harness.Elided[Direction.Egress]);
        Assert.Equal("", harness.StoredText(Direction.Egress));
    }

    private const string CookieResponse = "HTTP/1.1 200 OK\r\nSet-Cookie: session=SECRETCOOKIE\r\nContent-Length: 0\r\n\r\n";

    /// <summary>What is stored of a response with these fields and body, followed by one that sets a cookie.</summary>
    private static string StoredResponsesAfter(string fieldsAndBody) => new RedactionHarness()
        .Send(Direction.Egress, "GET /a HTTP/1.1\r\nHost: shop\r\n\r\nGET /b HTTP/1.1\r\nHost: shop\r\n\r\n")
        .Send(Direction.Ingress, "HTTP/1.1 200 OK\r\n" + fieldsAndBody + CookieResponse)
        .Close()
        .StoredText(Direction.Ingress);

    [Theory]
    [InlineData("Transfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("Transfer-Encoding: gzip,\r\n\tchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("Content-Length:\r\n 5\r\n\r\nhello")]
    public void A_framing_field_continued_on_an_obs_fold_line_leaves_the_next_response_scanned(string fieldsAndBody) =>
        Assert.DoesNotContain("SECRETCOOKIE", StoredResponsesAfter(fieldsAndBody));

    [Theory]
    [InlineData("Content-Length: 5, 5\r\n\r\nhello")] // identical values joined, which a recipient may take as one (RFC 9110 §8.6)
    [InlineData("Content-Length: 5\r\nContent-Length: 3\r\n\r\nhello")]
    [InlineData("Content-Length: five\r\n\r\nhello")]
    public void A_content_length_that_is_not_one_number_leaves_the_next_response_scanned(string fieldsAndBody) =>
        Assert.DoesNotContain("SECRETCOOKIE", StoredResponsesAfter(fieldsAndBody));

    [Fact]
    public void A_host_field_continued_on_an_obs_fold_line_has_its_request_elided_when_patterns_are_given()
    {
        const string request = "GET /x HTTP/1.1\r\nHost:\r\n evil.example\r\n\r\n";
        var harness = new RedactionHarness(deny: ["evil.example/*"]).Send(Direction.Egress, request).Close();

        Assert.Equal([(0, request.Length)], harness.Elided[Direction.Egress]);
    }
}
