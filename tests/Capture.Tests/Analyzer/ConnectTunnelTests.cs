using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>A CONNECT request names the host to tunnel to and no path (authority-form, RFC 9112 §3.2.3): the exchange
/// shows that host once, with an empty path, and an absolute-form request through a proxy shows its target's host and path.
/// A 2xx answer opens a tunnel (RFC 9110 §9.3.6): the bytes after the CONNECT request and after the 2xx, most often TLS
/// records, are not HTTP/1 and are no part of the exchange, which ends with the 2xx.</summary>
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

    // What curl -p -x http://proxy https://target sends, and a proxy answers, before the tunnel carries TLS.
    private const string CurlConnect =
        "CONNECT 127.0.0.1:19500 HTTP/1.1\r\nHost: 127.0.0.1:19500\r\nUser-Agent: curl/8.5.0\r\nProxy-Connection: Keep-Alive\r\n\r\n";
    private const string Established = "HTTP/1.1 200 Connection established\r\n\r\n";
    // TLS records, shortened; their random bytes hold LFs, which end a "line" for a parser that takes them for HTTP/1.
    private static readonly byte[] ClientHello = [0x16, 0x03, 0x01, 0x00, 0x0a, 0x01, 0x00, 0x00, 0x06, 0x03, 0x03, 0xd9, 0x0a, 0x53, 0x0d];
    private static readonly byte[] ServerHello = [0x16, 0x03, 0x03, 0x00, 0x0a, 0x02, 0x00, 0x00, 0x06, 0x03, 0x03, 0x7a, 0x0a, 0x1f, 0x0a];
    private static readonly byte[] ApplicationData = [0x17, 0x03, 0x03, 0x00, 0x05, 0x48, 0x54, 0x0a, 0x54, 0x0a];

    private static byte[] Concat(string head, byte[] tail) => [.. System.Text.Encoding.Latin1.GetBytes(head), .. tail];

    private static string Describe(JsonElement e) =>
        $"{e.GetProperty("method").GetString()} {e.GetProperty("host").GetString()} [{e.GetProperty("path").GetString()}] " +
        $"{e.GetProperty("status")} tls={e.GetProperty("tls").GetBoolean()} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}] " +
        $"{e.GetProperty("duration_ms").GetDouble()}ms";

    [Fact]
    public void On_the_proxys_side_the_tunnelled_TLS_is_not_taken_for_HTTP_and_the_CONNECT_is_not_malformed()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "proxy.db"));
        rec.Connection("python3", 20, "server", "127.0.0.1:19530", "127.0.0.1:49716")
            .ClientSends(1, Concat(CurlConnect, ClientHello)) // read together: the client did not wait for the 200
            .ServerSends(2, Established)
            .ServerSends(4, ServerHello)
            .ClientSends(5, ApplicationData)
            .ServerSends(6, ApplicationData)
            .Close(7);
        string db = rec.Save();

        Assert.Equal(["CONNECT 127.0.0.1:19500 [] 200 tls=False [] 1ms"], Analyze.ListJson(db).Select(Describe));
    }

    [Fact]
    public void On_the_clients_side_the_CONNECT_before_the_handshake_is_an_exchange_beside_those_in_the_tunnel()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "curl.db"));
        var conn = rec.Connection("curl", 10, "client", "127.0.0.1:49716", "127.0.0.1:19530", tlsLibrary: "openssl");
        conn.Socket
            .ClientSends(2, CurlConnect)
            .ServerSends(4, Concat(Established, ServerHello)) // the proxy's 200 and the target's first record, read at once
            .ClientSends(5, ClientHello)
            .ClientSends(6, ApplicationData)
            .ServerSends(7, ApplicationData);
        conn.ClientSends(6, "GET /echo?via=proxy HTTP/1.1\r\nHost: 127.0.0.1:19500\r\n\r\n")
            .ServerSends(7, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .Close(8);
        string db = rec.Save();

        Assert.Equal(
            ["CONNECT 127.0.0.1:19500 [] 200 tls=False [] 2ms", "GET 127.0.0.1:19500 [/echo?via=proxy] 200 tls=True [] 1ms"],
            Analyze.ListJson(db).Select(Describe));
    }

    [Fact]
    public void A_CONNECT_refused_with_a_non_2xx_is_an_ordinary_exchange_and_the_connection_goes_on()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "refused.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:49716", "127.0.0.1:19530")
            .ClientSends(1, CurlConnect)
            .ServerSends(2, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            .ClientSends(3, CurlConnect.Replace("Keep-Alive\r\n", "Keep-Alive\r\nProxy-Authorization: Basic eDp5\r\n"))
            .ServerSends(5, Concat(Established, ServerHello))
            .ClientSends(6, ClientHello)
            .Close(8);
        string db = rec.Save();

        Assert.Equal(
            ["CONNECT 127.0.0.1:19500 [] 407 tls=False [] 1ms", "CONNECT 127.0.0.1:19500 [] 200 tls=False [] 2ms"],
            Analyze.ListJson(db).Select(Describe));
    }
}
