namespace Capture.Tests.Support;

/// <summary>Two nghttpd servers serving fixtures/servers, one cleartext (h2c) and one over TLS, and
/// the HTTP/2 traffic the pcapng tests record from them. nghttpd sends its SETTINGS before it reads
/// the client's preface: the kernel's HTTP check knows that server preface, so both ends are
/// recorded without --all-tcp.</summary>
internal sealed class Http2Servers : IDisposable
{
    public int CleartextPort { get; } = Ports.Free();
    public int TlsPort { get; } = Ports.Free();
    public BackgroundProcess Cleartext { get; }
    public BackgroundProcess Tls { get; }

    public Http2Servers(string directory)
    {
        var (cert, key) = TlsPeers.SelfSignedCertificate(directory);
        Cleartext = new BackgroundProcess("nghttpd", ["-a", "127.0.0.1", "--no-tls", "-d", Repo.Fixture("servers"), CleartextPort.ToString()]);
        Tls = new BackgroundProcess("nghttpd", ["-a", "127.0.0.1", "-d", Repo.Fixture("servers"), TlsPort.ToString(), key, cert]);
        Peers.WaitForPort(CleartextPort);
        Peers.WaitForPort(TlsPort);
    }

    /// <summary>h2c: /missing from curl, then /http_test_server.py and /keepalive_client.py from nghttp on one
    /// connection; over TLS: /keepalive_client.py from curl. curl 7.88 cannot reuse a prior-knowledge connection
    /// with nghttpd: one request per curl, and nghttp for two streams on one connection (the second HEADERS
    /// needs the first's HPACK state).</summary>
    public void MakeRequests()
    {
        Peers.Curl("--http2-prior-knowledge", "-o", "/dev/null", $"http://127.0.0.1:{CleartextPort}/missing");
        var nghttp = ProcessRunner.Run("nghttp", ["-n", $"http://127.0.0.1:{CleartextPort}/http_test_server.py", $"http://127.0.0.1:{CleartextPort}/keepalive_client.py"]);
        Assert.True(nghttp.ExitCode == 0, "nghttp failed: " + nghttp.Stderr);
        Peers.Curl("-k", "--http2", "-o", "/dev/null", $"https://127.0.0.1:{TlsPort}/keepalive_client.py");
    }

    public void Dispose()
    {
        Cleartext.Dispose();
        Tls.Dispose();
    }
}
