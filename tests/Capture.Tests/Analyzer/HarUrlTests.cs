using System.Text;
using System.Text.Json;
using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// A HAR entry's request.url is always a valid URL (RFC 3986), whatever bytes the request carried: devtools refuse a HAR
/// whose url does not parse, and a url that parses into another host misleads. The path and query are percent-encoded
/// where a byte is not allowed there; a Host that is no host[:port] gives way to the connection's server address, and the
/// entry's comment says so. The Host header in the entry keeps the value as sent.
/// </summary>
public sealed class HarUrlTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("/q?x=\"1\"|<2>", "http://har.test/q?x=%221%22%7C%3C2%3E")]
    [InlineData("/caf\u00c3\u00a9", "http://har.test/caf%C3%A9")]
    [InlineData("/raw\u00e9", "http://har.test/raw%E9")]
    [InlineData("/50%", "http://har.test/50%25")]
    [InlineData("/already%2Fescaped%e2%82%ac", "http://har.test/already%2Fescaped%e2%82%ac")]
    [InlineData("/p@t:h;x=1,2!$&'()*+~?a=/b", "http://har.test/p@t:h;x=1,2!$&'()*+~?a=/b")]
    [InlineData("/frag#ment", "http://har.test/frag%23ment")]
    public void Bytes_not_allowed_in_a_path_or_query_are_percent_encoded_and_allowed_ones_and_escapes_kept(string target, string url)
    {
        // The target is sent as bytes, one per character: "\u00c3\u00a9" is the UTF-8 encoding of "é", "\u00e9" a raw Latin-1 byte.
        var entry = OnlyEntry($"GET {target} HTTP/1.1\r\nHost: har.test\r\n\r\n");

        Assert.Equal(url, Url(entry));
        Assert.True(Uri.TryCreate(Url(entry), UriKind.Absolute, out _));
        Assert.False(entry.TryGetProperty("comment", out _));
    }

    [Theory]
    [InlineData("har test")]
    [InlineData("har|test")]
    [InlineData("\"har.test\"")]
    [InlineData("har.test:80x")]
    [InlineData("har.test:99999")]
    [InlineData("user@har.test")]
    [InlineData("b\u00fccher.test")]
    [InlineData("[::1")]
    [InlineData("[not:v6]:80")]
    public void A_host_that_is_no_host_and_port_gives_way_to_the_servers_address_and_the_comment_says_so(string host)
    {
        var entry = OnlyEntry($"GET /a HTTP/1.1\r\nHost: {host}\r\n\r\n");

        Assert.Equal("http://127.0.0.1:8080/a", Url(entry));
        Assert.Equal($"url: the Host \"{host}\" is no valid host[:port] (RFC 3986 §3.2.2), so it names the server's address",
            entry.GetProperty("comment").GetString());
        Assert.Contains(entry.GetProperty("request").GetProperty("headers").EnumerateArray(), h => h.GetProperty("value").GetString() == host);
    }

    [Fact]
    public void An_empty_host_gives_way_to_the_servers_address_and_the_comment_says_the_request_named_none()
    {
        var entry = OnlyEntry("GET /a HTTP/1.1\r\nHost:\r\n\r\n");

        Assert.Equal("http://127.0.0.1:8080/a", Url(entry));
        Assert.Equal("url: the request named no host, so it names the server's address", entry.GetProperty("comment").GetString());
    }

    [Fact]
    public void A_request_with_no_Host_field_names_the_servers_address_and_the_comment_says_the_request_named_none()
    {
        var entry = OnlyEntry("GET /a HTTP/1.0\r\n\r\n");

        Assert.Equal("http://127.0.0.1:8080/a", Url(entry));
        Assert.Equal("url: the request named no host, so it names the server's address", entry.GetProperty("comment").GetString());
    }

    [Theory]
    [InlineData("har.test")]
    [InlineData("Har-1.Test:8080")]
    [InlineData("har.test:")]
    [InlineData("10.0.0.1:80")]
    [InlineData("[::1]:8080")]
    [InlineData("[2001:db8::1]")]
    [InlineData("har_test.internal")]
    public void A_valid_host_and_port_is_kept_as_sent(string host)
    {
        var entry = OnlyEntry($"GET /a HTTP/1.1\r\nHost: {host}\r\n\r\n");

        Assert.Equal($"http://{host}/a", Url(entry));
        Assert.False(entry.TryGetProperty("comment", out _));
    }

    [Fact]
    public void An_HTTP2_path_and_authority_which_may_hold_any_byte_make_a_valid_url_too()
    {
        // RFC 9113 §8.2.1 has a server reject such fields; the capture shows what the client sent all the same.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "h2.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8443", tlsLibrary: "openssl")
            .ClientSends(0, Frames.Concat(Frames.Preface, Frames.Settings()))
            .ServerSends(0.5, Frames.Concat(Frames.Settings(), Frames.SettingsAck()))
            .ClientSends(1, Frames.Headers(1, new HpackBlock().WithoutIndexing(":method", "GET").WithoutIndexing(":scheme", "https")
                .WithoutIndexing(":path", "/a b?c=\"d\"").WithoutIndexing(":authority", "har test").ToArray(), endStream: true))
            .ServerSends(2, Frames.Headers(1, new HpackBlock().WithoutIndexing(":status", "204").ToArray(), endStream: true));
        var entry = Assert.Single(Analyze.Har([rec.Save()], Path.Combine(_dir.Path, "h2.har")).Entries);

        Assert.Equal("https://127.0.0.1:8443/a%20b?c=%22d%22", Url(entry));
        Assert.Equal("url: the Host \"har test\" is no valid host[:port] (RFC 3986 §3.2.2), so it names the server's address",
            entry.GetProperty("comment").GetString());
    }

    private static string Url(JsonElement entry) => entry.GetProperty("request").GetProperty("url").GetString()!;

    /// <summary>The request, from curl to 127.0.0.1:8080, answered 204.</summary>
    private JsonElement OnlyEntry(string request)
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, Encoding.Latin1.GetBytes(request))
            .ServerSends(2, "HTTP/1.1 204 No Content\r\n\r\n");
        return Assert.Single(Analyze.Har([rec.Save()], Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.har")).Entries);
    }
}
