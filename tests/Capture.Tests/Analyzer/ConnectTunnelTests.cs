using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>A CONNECT request names the host to tunnel to and no path (authority-form, RFC 9112 §3.2.3): the exchange
/// shows that host once, with an empty path, and an absolute-form request through a proxy shows its target's host and path.</summary>
public sealed class ConnectTunnelTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_CONNECT_shows_the_tunnels_host_and_no_path()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "connect.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:3128")
            .ClientSends(1, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 200 Connection established\r\n\r\n")
            .Close(3);
        rec.Connection("curl", 11, "client", "127.0.0.1:50001", "127.0.0.1:3128")
            .ClientSends(4, "GET http://plain.example/page?q=1 HTTP/1.1\r\nHost: plain.example\r\n\r\n")
            .ServerSends(5, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .Close(6);
        string db = rec.Save();

        var exchanges = Analyze.ListJson(db).Select(e => $"{e.GetProperty("method").GetString()} {e.GetProperty("host").GetString()} [{e.GetProperty("path").GetString()}]");
        Assert.Equal(["CONNECT example.com:443 []", "GET plain.example [/page?q=1]"], exchanges);
    }
}
