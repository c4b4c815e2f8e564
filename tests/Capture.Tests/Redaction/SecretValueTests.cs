using Capture.Recorder.Interop;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Redaction;

/// <summary>Where secret values hide in a request target and in Set-Cookie, beyond the plain forms: each is replaced,
/// and what identifies without revealing (parameter names, cookie names, attributes) is kept.</summary>
public sealed class SecretValueTests
{
    private static string StoredRequest(string target, string[]? query = null) =>
        new RedactionHarness(query: query)
            .Send(Direction.Egress, $"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n")
            .Close().StoredText(Direction.Egress);

    private static string StoredSetCookie(string value) =>
        new RedactionHarness()
            .Send(Direction.Egress, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .Send(Direction.Ingress, $"HTTP/1.1 200 OK\r\nSet-Cookie: {value}\r\nContent-Length: 0\r\n\r\n")
            .Close().StoredText(Direction.Ingress);

    [Theory]
    [InlineData("/p?acc%65ss_token=SECRETA&x=1")]      // a percent-encoded name
    [InlineData("/p?x=1;token=SECRETB")]               // ';' between parameters
    [InlineData("/callback#access_token=SECRETC&x=1")] // a fragment a client sent
    [InlineData("/p?x=1#id_token=SECRETD")]
    public void A_secret_parameter_however_it_is_written_is_replaced(string target)
    {
        string stored = StoredRequest(target);
        Assert.DoesNotContain("SECRET", stored);
        Assert.Contains("x=1", stored);
    }

    // PHP, Rails (Rack) and Node's qs read "token[]", "token[0]" and "token[a]" as the parameter "token" (an array or map
    // of it), so a server that reads "token" reads these too.
    [Theory]
    [InlineData("/p?token[]=SECRETA&x=1", null)]
    [InlineData("/p?x=1&token[0]=SECRETB&token[1]=SECRETC", null)]
    [InlineData("/p?TOKEN[a]=SECRETD&x=1", null)]                 // the name's case, as for the plain name
    [InlineData("/p?access_token%5B%5D=SECRETE&x=1", null)]      // percent-encoded brackets
    [InlineData("/p?api_key%5ba%5d[b]=SECRETF&x=1", null)]       // nested, mixed encodings
    [InlineData("/p?session[id]=SECRETG&x=1", new[] { "session" })]
    public void A_secret_parameter_written_with_brackets_is_replaced_and_its_name_kept(string target, string[]? query)
    {
        string stored = StoredRequest(target, query);
        Assert.DoesNotContain("SECRET", stored);
        Assert.Contains("x=1", stored);
        Assert.Contains(target[..(target.IndexOf('=') + 1)], stored);
    }

    [Fact]
    public void An_HTTP2_path_with_a_bracketed_secret_parameter_has_it_replaced_raw_and_huffman_coded()
    {
        // Static table (RFC 7541 Appendix A): 2 :method GET, 4 :path.
        byte[] client =
        [
            .. Frames.Preface, .. Frames.Settings(),
            .. Frames.Headers(1, new HpackBlock().Indexed(2).WithoutIndexing(4, "/a?token[]=SECRETRAW&x=1")),
            .. Frames.Headers(3, new HpackBlock().Indexed(2).WithoutIndexing(4, "/a?x=1&api_key%5B0%5D=SECRETHUFFMAN", huffman: true)),
        ];
        byte[] stored = new RedactionHarness().Send(Direction.Egress, client).Close().Stored(Direction.Egress);
        var decoded = Http2Harness.Run(clientToServer: true, Http2Harness.Script(stored), StreamSplits.Whole);

        Assert.Empty(decoded.Errors);
        string all = string.Join("\n", decoded.Events);
        Assert.DoesNotContain("SECRET", all);
        Assert.Matches(@"\[:path: /a\?token\[\]=[a-z2-7]{9}&x=1\]", all);
        Assert.Matches(@"\[:path: /a\?x=1&api_key%5B0%5D=[0-9a-zA-Z_.-]+\]", all);
    }

    [Theory]
    [InlineData("/p?tokens[]=KEPT")]   // another name that begins like a secret one
    [InlineData("/p?x[token]=KEPT")]   // a secret name as another parameter's key
    [InlineData("/p?tok[en]=KEPT")]
    public void A_bracketed_parameter_of_another_name_is_kept(string target) =>
        Assert.Contains(target, StoredRequest(target));

    [Theory]
    [InlineData("http://user:SECRETPW@proxied.example/p", "@proxied.example/p")]
    [InlineData("http://SECRETTOKEN@proxied.example", "@proxied.example")]
    public void The_userinfo_of_a_target_sent_to_a_proxy_is_replaced_and_the_host_kept(string target, string kept)
    {
        string stored = StoredRequest(target);
        Assert.DoesNotContain("SECRET", stored);
        Assert.Contains("GET http://", stored);
        Assert.Contains(kept + " HTTP/1.1", stored);
    }

    [Fact]
    public void A_configured_parameter_name_of_any_length_is_replaced()
    {
        string name = new('n', 100);
        Assert.DoesNotContain("SECRETLONG", StoredRequest($"/p?{name}=SECRETLONG", query: [name]));
    }

    [Fact]
    public void Cookies_joined_into_one_Set_Cookie_by_commas_each_have_their_value_replaced_and_dates_stay()
    {
        string stored = StoredSetCookie("a=SECRET1; Path=/, sid=SECRET2; Expires=Wed, 21 Oct 2026 07:28:00 GMT, t=SECRET3; HttpOnly");
        Assert.DoesNotContain("SECRET", stored);
        Assert.Contains("; Path=/, sid=", stored);
        Assert.Contains("; Expires=Wed, 21 Oct 2026 07:28:00 GMT, t=", stored);
    }

    [Fact]
    public void A_cookie_value_with_commas_inside_is_replaced_whole() =>
        Assert.DoesNotContain("SECRET", StoredSetCookie("prefs={\"a\":\"SECRETJ1\",\"b\":\"SECRETJ2\"}; Path=/"));
}
