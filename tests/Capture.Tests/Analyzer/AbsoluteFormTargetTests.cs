using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>A request through a proxy names its target in absolute-form (RFC 9112 §3.2.2): the exchange shows its host and
/// path as the client sent them, as it does the Host field and an origin-form path. Nothing is normalized (RFC 3986 §6):
/// dot segments, percent-encodings, the host's case and a default port are what a person debugging the proxy needs to see.
/// Only userinfo is left out of the host, as it is of the Host field (RFC 9110 §4.2.4 forbids it there).</summary>
public sealed class AbsoluteFormTargetTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("http://Example.COM:80/a/./b/../c/%7E%41?q=%7E", "Example.COM:80 /a/./b/../c/%7E%41?q=%7E")]
    [InlineData("HTTP://plain.example/page", "plain.example /page")]
    [InlineData("http://user:secret@plain.example", "plain.example /")]
    [InlineData("http://[::1]:8080?x=1", "[::1]:8080 /?x=1")]
    [InlineData("https://plain.example//twice//", "plain.example //twice//")]
    public void An_absolute_form_target_shows_the_host_and_path_as_sent(string target, string expected)
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "absolute.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:3128")
            .ClientSends(1, $"GET {target} HTTP/1.1\r\nHost: elsewhere.example\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        string db = rec.Save();

        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal(expected, $"{exchange.GetProperty("host").GetString()} {exchange.GetProperty("path").GetString()}");
    }
}
