using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Analyzer;

/// <summary>A server bound to [::] accepts IPv4 clients on IPv6 sockets: the recorder stores such a peer as the IPv4
/// address it is (the socket's family stays 6), and analyze writes it as IPv4, without an IPv6 literal's brackets.</summary>
public sealed class DualStackAddressTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_ipv4_peer_of_a_dual_stack_socket_is_written_without_brackets()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "dual.db"));
        rec.Connection("nginx", 10, "server", "127.0.0.1:8080", "127.0.0.1:50000")
            .ClientSends(1, "GET / HTTP/1.1\r\nHost: dual.test\r\n\r\n")
            .ServerSends(2, "HTTP/1.1 204 No Content\r\n\r\n")
            .Close(3);
        rec.Connection("nginx", 10, "server", "::1:8080", "::1:50001")
            .ClientSends(4, "GET / HTTP/1.1\r\nHost: dual.test\r\n\r\n")
            .ServerSends(5, "HTTP/1.1 204 No Content\r\n\r\n")
            .Close(6);
        string db = rec.Save();
        using (var connection = new SqliteConnection($"Data Source={db};Pooling=false"))
            connection.Execute("UPDATE connections SET family = 6"); // both sockets are IPv6, as [::]'s are

        var endpoints = Analyze.ListJson(db).Select(e => $"{e.GetProperty("local").GetString()} {e.GetProperty("remote").GetString()}");
        Assert.Equal(["127.0.0.1:8080 127.0.0.1:50000", "[::1]:8080 [::1]:50001"], endpoints);
    }
}
