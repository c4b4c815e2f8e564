using Dapper;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Capture.Tests.EndToEnd;
using Capture.Tests.Support;

namespace Capture.Tests.Faults;

/// <summary>
/// Odd and hostile traffic, recorded for real on loopback: bytes that are not HTTP where HTTP is expected, a
/// request head far past the parser's limit, a client that sends one byte at a time. The analyzer never
/// invents a request from non-HTTP bytes, flags what exceeds its limits, and never fails.
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class HostileTrafficTests
{
    private static string Flags(JsonElement e) => string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));

    private static void Send(int port, byte[] bytes, TimeSpan? perByte = null)
    {
        using var client = new TcpClient();
        client.Connect(System.Net.IPAddress.Loopback, port);
        client.ReceiveTimeout = 5000;
        var stream = client.GetStream();
        try
        {
            if (perByte is { } pause)
                foreach (byte b in bytes) { stream.WriteByte(b); Thread.Sleep(pause); }
            else
                stream.Write(bytes);
        }
        catch (IOException) { return; } // the server refused the rest and closed: what was sent is what is recorded
        // Read what the server answers until it closes or goes quiet.
        var buffer = new byte[4096];
        try { while (stream.Read(buffer) > 0) { } } catch (IOException) { }
    }

    [Fact]
    public void Binary_and_TLS_bytes_on_an_HTTP_port_are_never_parsed_as_requests_even_with_all_tcp()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString(), "--all-tcp");

        var random = new Random(66);
        var noise = new byte[3000];
        random.NextBytes(noise);
        noise[0] = 0x00; // not a letter: no method can start here
        // A TLS 1.2 ClientHello's record header and the start of its handshake, as a browser would send to https on port 80.
        byte[] clientHello = [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03, .. noise[..200]];
        Send(port, noise);
        Send(port, clientHello);
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        // Each connection is one exchange per end: the bytes sent, which no request line begins, are a malformed request
        // with no method or path (never one made up), and nginx's 400 answers it.
        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(4, exchanges.Count);
        Assert.All(exchanges, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("method").ValueKind));
        Assert.All(exchanges, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("path").ValueKind));
        Assert.All(exchanges, e => Assert.Equal(400, e.GetProperty("status").GetInt32()));
        Assert.All(exchanges, e => Assert.Equal("malformed", Flags(e)));
        Assert.Equal([211, 3000], exchanges.Where(e => e.GetProperty("side").GetString() == "client").Select(e => e.GetProperty("req_bytes").GetInt32()).Order());
    }

    [Fact]
    public void A_one_megabyte_request_head_is_flagged_malformed_and_the_analysis_goes_on()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());

        Send(port, Encoding.ASCII.GetBytes($"GET /huge HTTP/1.1\r\nHost: h\r\nX-Big: {new string('a', 1 << 20)}\r\n\r\n"));
        Peers.Curl("-o", "/dev/null", $"http://127.0.0.1:{port}/hello");
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        var huge = exchanges.Where(e => e.GetProperty("side").GetString() == "client" && e.GetProperty("comm").GetString() != "curl").ToList();
        Assert.NotEmpty(huge);
        Assert.All(huge, e => Assert.Contains("malformed", Flags(e)));
        // The connection after it is untouched.
        Assert.Contains(exchanges, e => e.GetProperty("comm").GetString() == "curl" && e.GetProperty("path").GetString() == "/hello" && Flags(e) == "");
    }

    /// <summary>Without --all-tcp: the kernel's HTTP check gathers the connection's first bytes across calls,
    /// so a request that arrives one byte per call is still recognised.</summary>
    [Fact]
    public void A_request_sent_one_byte_per_second_is_one_clean_exchange()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());

        // HTTP/1.0 (the connection closes after the answer) and no fields: 22 bytes, 22 seconds.
        Send(port, Encoding.ASCII.GetBytes("GET /drip HTTP/1.0\r\n\r\n"), TimeSpan.FromSeconds(1));
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        var server = Assert.Single(exchanges, e => e.GetProperty("side").GetString() == "server");
        Assert.Equal("/drip", server.GetProperty("path").GetString());
        Assert.Equal(404, server.GetProperty("status").GetInt32());
        Assert.Equal("", Flags(server));
        var client = Assert.Single(exchanges, e => e.GetProperty("side").GetString() == "client");
        Assert.Equal("/drip", client.GetProperty("path").GetString());
        // The client took about 21 s to send its request: the exchange's duration says so.
        Assert.True(client.GetProperty("duration_ms").GetDouble() > 20_000, client.ToString());
    }

    /// <summary>Without --all-tcp, a connection the recording joins mid-way is taken for HTTP/2 only when a call holds
    /// whole frames that chain from its first byte (HTTP/2 sends no preface then). Binary bytes of another protocol,
    /// even a call that begins with one well-formed frame header, are not.</summary>
    [Fact]
    public void Binary_bytes_on_a_connection_open_before_the_recording_are_not_taken_for_http2_frames()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new TcpClient();
        client.Connect(System.Net.IPAddress.Loopback, port);
        using var served = listener.AcceptTcpClient();
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());

        var random = new Random(9113);
        var ends = new[] { client.GetStream(), served.GetStream() };
        for (int i = 0; i < 40; i++)
        {
            var message = new byte[random.Next(1, 20_000)];
            random.NextBytes(message);
            // Every fourth begins with a WINDOW_UPDATE frame header (length 4, stream 1) whose next header is noise.
            if (i % 4 == 0 && message.Length > 40) new byte[] { 0, 0, 4, 0x8, 0, 0, 0, 0, 1 }.CopyTo(message, 0);
            ends[i % 2].Write(message);
            ends[1 - i % 2].ReadExactly(new byte[message.Length]);
        }
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly;Pooling=False");
        Assert.Equal(0L, db.ExecuteScalar<long>("SELECT COUNT(*) FROM chunks"));
    }
}
