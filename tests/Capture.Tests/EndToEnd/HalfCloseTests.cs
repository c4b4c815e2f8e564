using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Capture.Tests.Faults;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

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
        using var recorded = new RecordedListener();
        var (listener, port, recorder) = (recorded.Listener, recorded.Port, recorded.Recorder);

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

    [Fact]
    public void A_secret_the_client_reads_partly_before_tcp_ends_the_connection_and_partly_after_is_redacted_whole()
    {
        Requires.RootAndBpf();
        using var recorded = new RecordedListener();
        var (listener, port, recorder) = (recorded.Listener, recorded.Port, recorded.Recorder);
        const string head = "HTTP/1.0 200 OK\r\nSet-Cookie: session=", secret = "topsecretvalue", rest = "\r\nContent-Length: 2\r\n\r\nok";
        const string firstRead = head + "topsec"; // the client's first read stops inside the value

        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            client.Connect(IPAddress.Loopback, port);
            client.ReceiveTimeout = 10_000;
            using (var server = listener.AcceptSocket())
            {
                client.Send(Encoding.ASCII.GetBytes(Request));
                client.Shutdown(SocketShutdown.Send);
                Assert.Equal(Request, ReadToEnd(server));
                server.Send(Encoding.ASCII.GetBytes(head + secret + rest));
                var buffer = new byte[firstRead.Length];
                for (int got = 0; got < buffer.Length;) got += client.Receive(buffer, got, buffer.Length - got, SocketFlags.None);
                Assert.Equal(firstRead, Encoding.ASCII.GetString(buffer));
            }
            Thread.Sleep(300); // the server's FIN came: TCP has closed the connection with the rest of the answer unread
            Assert.Equal(secret[6..] + rest, ReadToEnd(client));
        }
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        using var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly;Pooling=False");
        var stored = string.Join("\n", db.Query<byte[]>("SELECT data FROM chunks ORDER BY id").Select(Encoding.Latin1.GetString));
        Assert.Contains("Set-Cookie: session=", stored);
        Assert.DoesNotContain("topsec", stored);
        Assert.DoesNotContain("retvalue", stored);
    }

    [Fact]
    public async Task A_client_that_half_closes_and_exits_without_reading_leaves_no_connection_state_in_the_kernel()
    {
        Requires.RootAndBpf();
        using var recorded = new RecordedListener();
        var (listener, port, recorder) = (recorded.Listener, recorded.Port, recorded.Recorder);

        var client = Task.Run(() => ProcessRunner.Run("/usr/bin/python3", [Repo.Fixture("clients/half_close_and_exit.py"), port.ToString()], TimeSpan.FromSeconds(20)), TestContext.Current.CancellationToken);
        using (var server = listener.AcceptSocket())
        {
            Assert.StartsWith("GET /left-unread ", ReadToEnd(server));
            server.Send(Encoding.ASCII.GetBytes(Response));
        }
        var exited = await client;
        Assert.True(exited.ExitCode == 0, exited.Stderr);
        int clientPid = int.Parse(exited.Stdout.Trim());

        // The kernel frees the socket as the process exits; its state must not wait for the map to evict it.
        Assert.Equal(0, ConnectionStatesOpenedBy(recorder.Pid, clientPid));
        Assert.Equal(0, recorder.Stop());
    }

    /// <summary>Entries of the recorder's connection map whose opener is <paramref name="pid"/>.</summary>
    private static int ConnectionStatesOpenedBy(int recorderPid, int pid)
    {
        foreach (int map in KernelObjects.HeldBy(recorderPid).Maps)
        {
            var shown = ProcessRunner.Run("bpftool", ["map", "show", "id", map.ToString(), "-j"]);
            if (JsonDocument.Parse(shown.Stdout).RootElement.GetProperty("name").GetString() != "conns") continue;
            var dump = ProcessRunner.Run("bpftool", ["map", "dump", "id", map.ToString(), "-j"]);
            Assert.True(dump.ExitCode == 0, dump.Stderr);
            return JsonDocument.Parse(dump.Stdout).RootElement.EnumerateArray()
                .Count(e => e.GetProperty("formatted").GetProperty("value").GetProperty("opener_pid").GetInt32() == pid);
        }
        throw new InvalidOperationException("the recorder holds no map named conns");
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
