using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Analyzer;

/// <summary>
/// A connection known only by its TCP_CLOSE (its open and every byte dropped) has no comm when nothing else in the
/// recording named its pid, and pid 0 when the kernel never saw it made. The tables and `show` say "?" where the
/// recording does not know, rather than a blank that looks like a fault; `--json` keeps the columns as stored. So does
/// `show` of a TLS connection whose row does not say how its TLS calls were tied to the socket.
/// </summary>
public sealed class UnnamedProcessTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_process_the_recording_could_not_name_is_a_question_mark_in_the_table_and_named_so_by_show()
    {
        string db = LostWhole(pid: 10);

        Assert.Contains(" ?[10] ", Analyze.Output(db, "--list"));
        Assert.Contains("process     pid 10 (its name not recorded), client side", Analyze.Output(db, "show", "1"));
        Assert.Contains("?[10]", Analyze.Output(db, "--by", "process"));
    }

    [Fact]
    public void A_process_with_neither_name_nor_pid_is_not_recorded_not_pid_0()
    {
        string db = LostWhole(pid: 0);

        Assert.Contains(" ?[?] ", Analyze.Output(db, "--list"));
        Assert.Contains("process     not recorded, client side", Analyze.Output(db, "show", "1"));
        var exchange = Assert.Single(Analyze.ListJson(db));
        Assert.Equal(("", 0), (exchange.GetProperty("comm").GetString(), exchange.GetProperty("pid").GetInt32()));
    }

    [Fact]
    public void Show_says_a_tls_attribution_the_recording_lacks_was_not_recorded()
    {
        // tls_attribution NULL: the open event came before any TLS call, or was dropped and no close came to tell it.
        var rec = new SyntheticRecording(_dir.File("unattributed.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8443", tlsLibrary: "openssl")
            .ClientSends(1, "GET / HTTP/1.1\r\nHost: tls.test\r\n\r\n").ServerSends(2, "HTTP/1.1 204 No Content\r\n\r\n");
        string db = rec.Save();
        using (var file = new SqliteConnection($"Data Source={db};Pooling=False"))
            file.Execute("UPDATE connections SET tls_attribution = NULL");

        Assert.Contains("protocol    http/1.1, TLS plaintext (openssl, attribution not recorded)", Analyze.Output(db, "show", "1"));
    }

    /// <summary>A recording of one connection whose every byte was dropped, known by a close that named no process.</summary>
    private string LostWhole(int pid)
    {
        var rec = new SyntheticRecording(_dir.File($"unnamed-{pid}.db"));
        rec.Connection(comm: "", pid, "client", "127.0.0.1:50000", "127.0.0.1:8080").ClientLoses(40).ServerLoses(300).CloseCounting(5);
        return rec.Save();
    }
}
