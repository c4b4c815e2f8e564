using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.EndToEnd;

/// <summary>
/// Bytes can leave a socket by calls the recorder does not trace: a proxy forwarding a body with splice(2) (HAProxy's
/// splice), io_uring, recvmmsg. The recorded stream keeps them as a hole of their exact size, taken from TCP's own
/// count of what the program consumed, so the analyzer steps over a spliced body by its framing and reads the next
/// request as a request: the exchange whose body went by unseen is flagged gap, the next one is whole, neither misread. (Put end to end, the
/// next request's head would have been read as the body's bytes: the POST left incomplete and the GET lost.)
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class UntracedCallTests
{
    private const int BodyBytes = 100_000;

    [Fact]
    public void A_request_body_spliced_off_the_socket_is_a_hole_of_its_size_and_the_next_request_is_read_whole()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = new BackgroundProcess("python3", [Repo.Fixture("servers/splice_server.py"), "127.0.0.1", port.ToString()]);
        server.WaitForLine("ready", TimeSpan.FromSeconds(20));
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());
        var body = dir.File("body");
        File.WriteAllText(body, new string('x', BodyBytes));

        // One connection: a POST whose body the server splices away, then a GET it reads as usual.
        var answers = Peers.Curl("-H", "Expect:", "--data-binary", "@" + body, $"http://127.0.0.1:{port}/upload",
            "--next", $"http://127.0.0.1:{port}/after");
        Assert.Equal($"took {BodyBytes}took 0", answers);
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        using var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly");
        db.Open();
        var serverConnection = db.QuerySingle<long>("SELECT id FROM connections WHERE role = 'server' AND comm = 'python3'");
        var received = db.Query<(long Pos, long Length)>(
            "SELECT stream_pos, length(data) FROM chunks WHERE conn_id = @serverConnection AND direction = 1 ORDER BY stream_pos",
            new { serverConnection }).ToList();
        long requestBytes = received[^1].Pos + received[^1].Length;
        long recorded = received.Sum(c => c.Length);
        Assert.True(requestBytes - recorded >= BodyBytes - 64 * 1024 && requestBytes - recorded <= BodyBytes,
            $"the server's stream spans {requestBytes} bytes of which {recorded} were recorded: the spliced body should be its hole");

        var exchanges = Analyze.ListJson(recorder.DbPath)
            .Select(e => $"{e.GetProperty("side").GetString()} {e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} " +
                         $"{e.GetProperty("status")} [{string.Join(",", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()))}]")
            .Order().ToList();
        // The hole lay wholly inside the POST's body, whose length its Content-Length gave: only the POST is flagged.
        Assert.Equal([
            "client GET /after 200 []", "client POST /upload 200 []",
            "server GET /after 200 []", "server POST /upload 200 [gap]",
        ], exchanges);
    }
}
