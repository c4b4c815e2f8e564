using System.Net;
using System.Net.Sockets;
using System.Text;
using Capture.Tests.Support;

namespace Capture.Tests.EndToEnd;

/// <summary>
/// The kernel side records a connection only once its first bytes look like HTTP. That look takes a
/// request whose method is WebDAV's (PROPFIND, the first request of a WebDAV client) or a cache's (PURGE),
/// and a request after an empty line, which RFC 9112 §2.2 has servers ignore. Each connection here is one
/// exchange between this test's own client and server sockets on loopback.
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class ConnectionStartTests
{
    [Fact]
    public void Connections_that_open_with_an_extension_method_or_an_empty_line_are_recorded()
    {
        Requires.RootAndBpf();
        using var recorded = new RecordedListener();
        var (listener, port, recorder) = (recorded.Listener, recorded.Port, recorded.Recorder);

        Exchange(listener, "\r\nPOST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        Exchange(listener, "PROPFIND /dav/ HTTP/1.1\r\nHost: x\r\nDepth: 1\r\n\r\n", "HTTP/1.1 207 Multi-Status\r\nContent-Length: 2\r\n\r\nok");
        Exchange(listener, "PURGE /cached HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        var exchanges = Analyze.OnPort(Analyze.ListJson(recorder.DbPath), port)
            .Select(e => $"{e.GetProperty("side").GetString()} {e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} " +
                         $"{e.GetProperty("status")} flags={e.GetProperty("flags").GetArrayLength()}")
            .Order().ToList();
        Assert.Equal([
            "client POST /first 200 flags=0", "client PROPFIND /dav/ 207 flags=0", "client PURGE /cached 200 flags=0",
            "server POST /first 200 flags=0", "server PROPFIND /dav/ 207 flags=0", "server PURGE /cached 200 flags=0",
        ], exchanges);
    }

    /// <summary>One connection: the request in one send, read whole by the server, the response read whole by the client.</summary>
    private static void Exchange(TcpListener listener, string request, string response)
    {
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = listener.AcceptTcpClient();
        client.GetStream().Write(Encoding.ASCII.GetBytes(request));
        ReadExactly(server.GetStream(), request.Length);
        server.GetStream().Write(Encoding.ASCII.GetBytes(response));
        ReadExactly(client.GetStream(), response.Length);
    }

    private static void ReadExactly(NetworkStream stream, int bytes)
    {
        stream.ReadTimeout = 10_000;
        stream.ReadExactly(new byte[bytes]);
    }
}
