using System.Text;
using Capture.Recorder.Interop;

namespace Capture.Tests.Redaction;

/// <summary>The recorder's redaction of HTTP/1 header fields and query parameters, before anything is stored.</summary>
public sealed class Http1RedactionTests
{
    private const string Request =
        "GET /items?page=2&access_token=SECRETQUERY1&sort=asc HTTP/1.1\r\n" +
        "Host: shop\r\n" +
        "Authorization: Bearer SECRETTOKEN1\r\n" +
        "Cookie: session=SECRETCOOKIE1; theme=dark\r\n" +
        "Content-Length: 38\r\n" +
        "\r\n" +
        "Authorization: Bearer not-a-header-1\r\n";

    private const string Response =
        "HTTP/1.1 200 OK\r\n" +
        "Set-Cookie: session=SECRETCOOKIE2; Path=/; HttpOnly\r\n" +
        "Transfer-Encoding: chunked\r\n" +
        "\r\n" +
        "5\r\nhello\r\n0\r\n\r\n";

    private static string Redact(string request, params int[] cuts) =>
        new RedactionHarness().SendSplit(Direction.Egress, Encoding.Latin1.GetBytes(request), cuts).Close().StoredText(Direction.Egress);

    [Fact]
    public void Secret_values_are_replaced_at_the_same_length_and_what_identifies_them_is_kept()
    {
        string stored = Redact(Request);

        Assert.Equal(Request.Length, stored.Length);
        foreach (var secret in new[] { "SECRETQUERY1", "SECRETTOKEN1", "SECRETCOOKIE1" }) Assert.DoesNotContain(secret, stored);
        Assert.StartsWith("GET /items?page=2&access_token=", stored);
        Assert.Contains("&sort=asc HTTP/1.1\r\n", stored);
        Assert.Contains("Authorization: Bearer ", stored);
        Assert.Contains("Cookie: session=", stored);
        Assert.Contains("; theme=", stored);
        Assert.DoesNotContain("theme=dark", stored); // every cookie's value is replaced, each on its own
        Assert.EndsWith("\r\n\r\nAuthorization: Bearer not-a-header-1\r\n", stored); // the body is not a header section
    }

    [Fact]
    public void A_value_split_across_chunks_at_every_byte_is_redacted_the_same_as_whole()
    {
        string whole = Redact(Request);
        for (int cut = 1; cut < Request.Length; cut++) Assert.Equal(whole, Redact(Request, cut));
        var bytes = Enumerable.Range(1, Request.Length - 1).ToArray();
        Assert.Equal(whole, Redact(Request, bytes)); // one byte per chunk
    }

    [Fact]
    public void Equal_secrets_give_equal_replacements_and_different_secrets_differ()
    {
        var harness = new RedactionHarness();
        string Value(string token)
        {
            harness.Send(Direction.Egress, $"GET / HTTP/1.1\r\nAuthorization: Bearer {token}\r\n\r\n");
            var text = harness.StoredText(Direction.Egress);
            int at = text.LastIndexOf("Bearer ", StringComparison.Ordinal) + 7;
            return text.Substring(at, token.Length);
        }
        string first = Value("tok-AAAAAAAAAAAA"), again = Value("tok-AAAAAAAAAAAA"), other = Value("tok-BBBBBBBBBBBB");

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.NotEqual("tok-AAAAAAAAAAAA", first);
    }

    [Fact]
    public void The_same_key_gives_the_same_replacement_in_another_recording_and_another_key_does_not()
    {
        string With(byte[] key) => new RedactionHarness(key: key)
            .Send(Direction.Egress, "GET / HTTP/1.1\r\nCookie: id=SAMEVALUE\r\n\r\n").StoredText(Direction.Egress);

        Assert.Equal(With(RedactionHarness.Key), With(RedactionHarness.Key));
        Assert.NotEqual(With(RedactionHarness.Key), With(Encoding.ASCII.GetBytes("another key that is 32 bytes lng")));
    }

    [Fact]
    public void Set_cookie_keeps_its_name_and_attributes_and_a_chunked_body_is_left_alone()
    {
        var harness = new RedactionHarness()
            .Send(Direction.Egress, "GET / HTTP/1.1\r\n\r\n")
            .Send(Direction.Ingress, Response + Response.Replace("SECRETCOOKIE2", "SECRETCOOKIE3"));
        string stored = harness.StoredText(Direction.Ingress);

        Assert.Equal(2 * Response.Length, stored.Length);
        Assert.DoesNotContain("SECRETCOOKIE", stored);
        Assert.Contains("Set-Cookie: session=", stored);
        Assert.Contains("; Path=/; HttpOnly\r\n", stored);
        Assert.Contains("5\r\nhello\r\n0\r\n\r\n", stored);
    }

    [Fact]
    public void Configured_headers_and_query_parameters_are_redacted_too()
    {
        string stored = new RedactionHarness(headers: ["X-Tenant-Key"], query: ["code"])
            .Send(Direction.Egress, "GET /cb?code=SECRETCODE HTTP/1.1\r\nx-tenant-key: SECRETTENANT\r\n\r\n")
            .StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRETCODE", stored);
        Assert.DoesNotContain("SECRETTENANT", stored);
    }

    [Fact]
    public void A_continuation_line_of_a_secret_field_is_replaced_wherever_the_chunks_are_cut()
    {
        const string folded =
            "GET / HTTP/1.1\r\n" +
            "Authorization: Bearer\r\n SECRETFOLDAUTH\r\n" +
            "Cookie: a=1;\r\n\tb=SECRETFOLDCOOKIE\r\n" +
            "X-Note: kept\r\n folded but not secret\r\n" +
            "\r\n";
        string whole = Redact(folded);

        Assert.Equal(folded.Length, whole.Length);
        Assert.DoesNotContain("SECRETFOLD", whole);
        Assert.Equal(folded.IndexOf("\r\n SECRET", StringComparison.Ordinal), whole.IndexOf("\r\n ", StringComparison.Ordinal)); // the fold stays
        Assert.Contains("X-Note: kept\r\n folded but not secret\r\n", whole);
        for (int cut = 1; cut < folded.Length; cut++) Assert.Equal(whole, Redact(folded, cut));
    }

    [Fact]
    public void A_continuation_line_of_set_cookie_is_replaced_in_a_response()
    {
        const string response = "HTTP/1.1 200 OK\r\nSet-Cookie: sid=\r\n SECRETFOLDSET; Path=/\r\nContent-Length: 0\r\n\r\n";
        string stored = new RedactionHarness()
            .Send(Direction.Egress, "GET / HTTP/1.1\r\n\r\n")
            .Send(Direction.Ingress, response)
            .StoredText(Direction.Ingress);

        Assert.Equal(response.Length, stored.Length);
        Assert.DoesNotContain("SECRETFOLDSET", stored);
    }

    [Fact]
    public void A_secret_field_with_whitespace_before_its_colon_is_still_that_field()
    {
        const string request = "GET / HTTP/1.1\r\nAuthorization \t: Bearer SECRETWSCOLON\r\n\r\n";
        string whole = Redact(request);

        Assert.DoesNotContain("SECRETWSCOLON", whole);
        Assert.Contains("Authorization \t: Bearer ", whole);
        for (int cut = 1; cut < request.Length; cut++) Assert.Equal(whole, Redact(request, cut));
    }

    [Fact]
    public void After_lost_bytes_a_secret_header_line_is_still_redacted()
    {
        string stored = new RedactionHarness()
            .Send(Direction.Egress, "GET / HTTP/1.1\r\nHost: a\r\n")
            .Send(Direction.Egress, Encoding.ASCII.GetBytes("\r\nCookie: id=SECRETAFTERGAP\r\n\r\n"), lost: 10)
            .StoredText(Direction.Egress);

        Assert.DoesNotContain("SECRETAFTERGAP", stored);
    }

    [Fact]
    public void A_secret_that_never_ends_is_held_only_up_to_the_bound_then_stored_as_filler()
    {
        var harness = new RedactionHarness().Send(Direction.Egress, "GET / HTTP/1.1\r\nCookie: id=");
        var secret = new string('S', Recorder.Redaction.DirectionFlow.MaxHeldBytes + 10);
        harness.Send(Direction.Egress, secret).Send(Direction.Egress, "TAIL\r\n\r\n");
        string stored = harness.StoredText(Direction.Egress);

        Assert.DoesNotContain("SSS", stored);
        Assert.Contains("Cookie: ****", stored);
        Assert.Equal(1, harness.Policy.Overflows);
    }
}
