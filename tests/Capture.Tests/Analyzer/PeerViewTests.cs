using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>`show` links an exchange to the other end's view of it (client and server both traced on this host). The
/// two ends need not see the same exchanges: drops can cost one end an exchange the other has. The view shown must
/// be of the same request, or none: another request's timing would be read as this one's.</summary>
public sealed class PeerViewTests : IDisposable
{
    private const string First = "GET /first HTTP/1.1\r\nHost: shop.test\r\n\r\n", FirstResponse = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1";
    private const string Second = "GET /second HTTP/1.1\r\nHost: shop.test\r\n\r\n", SecondResponse = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2";
    private readonly TempDir _dir = new();
    private readonly string _db;

    public PeerViewTests()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "peer.db"));
        var client = rec.Connection("curl", 100, "client", "10.0.0.1:40000", "10.0.0.2:80");
        var server = rec.Connection("nginx", 200, "server", "10.0.0.2:80", "10.0.0.1:40000");
        client.ClientSends(1, First).ServerSends(50, FirstResponse).ClientSends(100, Second).ServerSends(110, SecondResponse);
        // The server's end lost the first exchange to drops: its stream picks up at the second request.
        server.ClientLoses(First.Length).ServerLoses(FirstResponse.Length).ClientSends(100.1, Second).ServerSends(109.9, SecondResponse);
        _db = rec.Save();
    }

    public void Dispose() => _dir.Dispose();

    private string Show(int id)
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [_db, "show", id.ToString()]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout;
    }

    [Fact]
    public void An_exchange_the_other_end_lost_has_no_other_end_view_rather_than_the_next_one()
    {
        Assert.Contains("GET http://shop.test/first", Show(1));
        Assert.DoesNotContain("other end", Show(1));
    }

    [Fact]
    public void The_other_end_view_is_of_the_same_request_when_the_ends_saw_different_numbers_of_exchanges()
    {
        var second = Show(2);
        Assert.Contains("GET http://shop.test/second", second);
        Assert.Contains("other end   nginx pid 200 (server side) took 9.800 ms; 0.200 ms of the client's time was spent outside the server", second);
    }

    [Fact]
    public void Two_views_of_an_exchange_that_did_not_finish_are_not_compared()
    {
        // The recording ended while the body was on its way: each duration is only how far each end had got, and their
        // difference says nothing about time spent outside the server.
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "unfinished.db"));
        var client = rec.Connection("curl", 100, "client", "10.0.0.1:40001", "10.0.0.2:80");
        var server = rec.Connection("nginx", 200, "server", "10.0.0.2:80", "10.0.0.1:40001");
        const string Head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234";
        client.ClientSends(1, First);
        server.ClientSends(1.1, First).ServerSends(50, Head);
        client.ServerSends(20, Head);
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [rec.Save(), "show", "1"]);

        Assert.Contains("other end   nginx pid 200 (server side) took 48.900 ms; not compared: the exchange did not finish in the recording", result.Stdout);
        Assert.DoesNotContain("spent outside the server", result.Stdout);
    }
}
