using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.EndToEnd;

/// <summary>
/// An HTTP/2 connection opened before the recording began (a gRPC channel, a proxy's upstream pool) sends no preface
/// and no start line afterwards, only frames. The kernel's HTTP check takes a call that holds whole frames from its
/// first byte, so the connection is recorded from its next request on without --all-tcp, over TLS as in cleartext;
/// the recorder reads those frames as HTTP/2 (HPACK state unknown) and replaces their secrets.
/// Peers: nghttpd, and a python3-h2 client that holds its connection open until told to go on
/// (fixtures/clients/h2_held_connection.py).
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class MidStreamHttp2Tests
{
    private const string Secret = "mid-stream-bearer-secret";

    [Theory]
    [InlineData("plain")]
    [InlineData("tls")]
    public void A_connection_open_before_the_recording_is_recorded_from_its_next_request_with_its_secrets_replaced(string mode)
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        var (cert, key) = TlsPeers.SelfSignedCertificate(dir.Path);
        string[] serverArgs = mode == "tls"
            ? ["-a", "127.0.0.1", "-d", Repo.Fixture("servers"), port.ToString(), key, cert]
            : ["-a", "127.0.0.1", "--no-tls", "-d", Repo.Fixture("servers"), port.ToString()];
        using var server = new BackgroundProcess("nghttpd", serverArgs);
        Peers.WaitForPort(port);
        using var client = new BackgroundProcess("/usr/bin/python3", [Repo.Fixture("clients/h2_held_connection.py"), port.ToString(), mode, Secret,
            "/grpc_peer.py", "/http_test_server.py", "/missing"]);
        client.WaitForLine("ready", TimeSpan.FromSeconds(20)); // preface, SETTINGS and GET /grpc_peer.py are behind it

        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());
        client.WriteInput("go\n");
        Assert.Equal("done 200 404", client.WaitForLine("done", TimeSpan.FromSeconds(30)));
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        var exchanges = Analyze.OnPort(Analyze.ListJson(recorder.DbPath), port);
        Assert.Equal([
            "client GET /http_test_server.py 200", "client GET /missing 404",
            "server GET /http_test_server.py 200", "server GET /missing 404",
        ], exchanges.Select(e => $"{e.GetProperty("side").GetString()} {e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} {e.GetProperty("status")}").Order());
        Assert.All(exchanges, e => Assert.Equal("h2", e.GetProperty("protocol").GetString()));
        Assert.All(exchanges.GroupBy(e => e.GetProperty("side").GetString()), side =>
            Assert.Contains("mid_stream", side.OrderBy(e => e.GetProperty("id").GetInt64()).First().GetProperty("flags").EnumerateArray().Select(f => f.GetString())));

        foreach (var exchange in exchanges)
        {
            var shown = JsonDocument.Parse(Analyze.Output(recorder.DbPath, "show", exchange.GetProperty("id").ToString(), "--json")).RootElement;
            var authorization = shown.GetProperty("request_headers").EnumerateArray().Single(f => f[0].GetString() == "authorization")[1].GetString()!;
            Assert.StartsWith("Bearer ", authorization);
            Assert.DoesNotContain(Secret, authorization);
        }
    }
}
