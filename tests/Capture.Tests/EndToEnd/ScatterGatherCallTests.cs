using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.EndToEnd;

/// <summary>
/// Servers and clients move HTTP through writev, readv, sendmsg and recvmsg with several buffers
/// (nginx sends every response head and short body with one writev). The recorder copies such a
/// call's bytes in buffer order, whichever of its copy paths the call's size and buffer count
/// choose: each end's recorded stream is exactly what the other end's calls delivered, byte for
/// byte, and analyzes as the exchanges that were made. A peek (recv or recvmsg with MSG_PEEK), as a
/// server does to tell protocols apart, takes no bytes and records none: the read after it does.
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class ScatterGatherCallTests
{
    [Fact]
    public void Calls_with_several_buffers_are_recorded_byte_for_byte_on_both_ends_and_peeks_take_nothing()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        var program = FixturePrograms.Build(dir, "iovec_calls");
        using var recorder = RecorderRun.Start(dir.Path, "--comm", "iovec_calls");

        var run = ProcessRunner.Run(program, [], TimeSpan.FromSeconds(20));
        Assert.True(run.ExitCode == 0, $"iovec_calls exited {run.ExitCode}: {run.Stderr}");
        var sent = run.Stdout.Trim().Split(' ');
        long clientSent = long.Parse(sent[1]), serverSent = long.Parse(sent[2]);
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        using var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly");
        db.Open();
        var client = db.QuerySingle<long>("SELECT id FROM connections WHERE comm = 'iovec_calls' AND role = 'client'");
        var server = db.QuerySingle<long>("SELECT id FROM connections WHERE comm = 'iovec_calls' AND role = 'server'");
        byte[] requestSent = Stream(db, client, Egress), requestReceived = Stream(db, server, Ingress);
        byte[] responseSent = Stream(db, server, Egress), responseReceived = Stream(db, client, Ingress);
        var shapes = db.Query<string>("SELECT DISTINCT source FROM chunks WHERE conn_id IN (@client, @server) ORDER BY source", new { client, server });
        Assert.Equal(["readv", "recvfrom", "recvmsg", "sendmsg", "write", "writev"], shapes);

        Assert.Equal(clientSent, requestSent.Length);
        Assert.Equal(serverSent, responseSent.Length);
        Assert.Equal(requestSent, requestReceived);
        Assert.Equal(responseSent, responseReceived);
        Assert.StartsWith("GET /iov/one HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Shape: writev-6\r\n\r\nPOST /iov/two", Ascii(requestSent));
        Assert.Contains("\r\n\r\n" + new string('x', 300) + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Shape: writev-5\r\n\r\nfive!", Ascii(responseSent));

        var exchanges = Analyze.ListJson(recorder.DbPath)
            .Where(e => e.GetProperty("comm").GetString() == "iovec_calls")
            .Select(e => $"{e.GetProperty("side").GetString()} {e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} " +
                         $"{e.GetProperty("status")} {e.GetProperty("resp_bytes")} flags={e.GetProperty("flags").GetArrayLength()}")
            .Order().ToList();
        Assert.Equal([
            "client GET /iov/one 200 43 flags=0", "client GET /iov/three 200 62 flags=0", "client POST /iov/two 200 340 flags=0",
            "server GET /iov/one 200 43 flags=0", "server GET /iov/three 200 62 flags=0", "server POST /iov/two 200 340 flags=0",
        ], exchanges);
    }

    /// <summary>One direction of a connection as recorded: its chunks' bytes in stream order, which must
    /// follow each other without a hole and carry no flag (truncated, unreadable).</summary>
    private const int Egress = 0, Ingress = 1;

    private static byte[] Stream(SqliteConnection db, long connection, int direction)
    {
        var chunks = db.Query<(long Pos, long Flags, byte[] Data)>(
            "SELECT stream_pos, flags, data FROM chunks WHERE conn_id = @connection AND direction = @direction AND tls = 0 ORDER BY stream_pos",
            new { connection, direction }).ToList();
        Assert.NotEmpty(chunks);
        var bytes = new List<byte>();
        foreach (var chunk in chunks)
        {
            Assert.Equal(0, chunk.Flags);
            Assert.Equal(bytes.Count, chunk.Pos);
            bytes.AddRange(chunk.Data);
        }
        return [.. bytes];
    }

    private static string Ascii(byte[] bytes) => System.Text.Encoding.ASCII.GetString(bytes);
}
