using System.Net;
using System.Net.Sockets;
using System.Text;
using Capture.Tests.Support;

namespace Capture.Tests.EndToEnd;

/// <summary>
/// A client may half-close its connection (shutdown for sending) once its request is out, and read the answer
/// later. By then the answer and the server's FIN have arrived and TCP has ended the connection, with the answer
/// still unread: the reads that follow belong to the same connection, so each side keeps one whole exchange.
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class HalfCloseTests
{
    private const string Request = "GET /half-closed HTTP/1.0\r\nHost: x\r\n\r\n", Response = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";

    [Fact]
    public void A_client_that_half_closes_and_reads_the_answer_after_the_end_keeps_one_whole_exchange()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());

        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            client.Connect(IPAddress.Loopback, port);
            using (var server = listener.AcceptSocket())
            {
                client.Send(Encoding.ASCII.GetBytes(Request));
                client.Shutdown(SocketShutdown.Send);
                Assert.Equal(Request, ReadToEnd(server));
                server.Send(Encoding.ASCII.GetBytes(Response));
            }
            Thread.Sleep(300); // the answer and the FIN wait unread, and TCP has closed the connection
            Assert.Equal(Response, ReadToEnd(client));
        }
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        var exchanges = Analyze.OnPort(Analyze.ListJson(recorder.DbPath), port)
            .Select(e => $"{e.GetProperty("side").GetString()} {e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} " +
                         $"{e.GetProperty("status")} resp={e.GetProperty("resp_bytes")} flags={e.GetProperty("flags").GetArrayLength()}")
            .Order().ToList();
        Assert.Equal([$"client GET /half-closed 200 resp={Response.Length} flags=0", $"server GET /half-closed 200 resp={Response.Length} flags=0"], exchanges);
    }

    private static string ReadToEnd(Socket socket)
    {
        socket.ReceiveTimeout = 10_000;
        var text = new StringBuilder();
        var buffer = new byte[4096];
        for (int read; (read = socket.Receive(buffer)) > 0;) text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        return text.ToString();
    }
}
