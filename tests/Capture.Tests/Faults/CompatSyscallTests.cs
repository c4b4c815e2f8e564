using Capture.Analyzer.Recording;
using Capture.Tests.EndToEnd;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Faults;

/// <summary>
/// The syscall hooks see every syscall and pick theirs by number, but a 32-bit syscall (an ia32 process, or
/// int 0x80 from a 64-bit one) numbers differently: its read is 3, the native close, and its arguments sit in
/// other registers. It is recorded as what it is, and never taken for the native call of the same number.
/// A kernel without IA32 emulation runs no 32-bit syscall at all (int 0x80 is a general protection fault,
/// as on this project's CI machine): there the client dies at its 32-bit read, and what it sent before stays
/// recorded, its connection ended by the kernel, not by a read taken for a close.
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class CompatSyscallTests
{
    private const int KilledBySegv = 128 + 11;

    [Fact]
    public void A_32_bit_read_on_a_recorded_socket_is_recorded_as_a_read_never_as_a_close()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        var program = FixturePrograms.Build(dir, "ia32_read");
        var probe = ProcessRunner.Run(program, ["probe"], TimeSpan.FromSeconds(20));
        Assert.True(probe.ExitCode is 0 or KilledBySegv, $"ia32_read probe exited {probe.ExitCode}: {probe.Stderr}");
        bool kernelRuns32BitSyscalls = probe.ExitCode == 0;
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());

        var client = ProcessRunner.Run(program, [port.ToString()], TimeSpan.FromSeconds(20));
        if (!kernelRuns32BitSyscalls)
        {
            Assert.Equal(KilledBySegv, client.ExitCode);
            Thread.Sleep(300);
            Assert.Equal(0, recorder.Stop());
            AssertTheRequestBeforeTheFaultStaysRecorded(recorder.DbPath, port);
            return;
        }
        Assert.True(client.ExitCode == 0, $"ia32_read exited {client.ExitCode}: {client.Stderr}");
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());

        using var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly");
        db.Open();
        var connection = db.QuerySingle<(long Id, long? ClosedNs)>("SELECT id, closed_ns FROM connections WHERE comm = 'ia32_read'");
        long lastChunkNs = db.Query<(long Ts, byte[] Data, byte[]? Calls)>("SELECT ts_ns, data, calls FROM chunks WHERE conn_id = @id", new { id = connection.Id })
            .Max(r => ChunkCalls.LastTimestampNs(r.Ts, r.Calls, r.Data.Length));
        // Taken for a close, the 32-bit read would have closed the connection before its second exchange.
        Assert.NotNull(connection.ClosedNs);
        Assert.True(connection.ClosedNs >= lastChunkNs, $"closed at {connection.ClosedNs}, before its last chunk at {lastChunkNs}");
        // Both answers were captured, the first through the 32-bit read, each paired with its own request.
        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port)
            .Where(e => e.GetProperty("side").GetString() == "client" && e.GetProperty("comm").GetString() == "ia32_read")
            .Select(e => (Path: e.GetProperty("path").GetString(), Status: e.GetProperty("status").ToString(), Flags: e.GetProperty("flags").GetArrayLength()))
            .OrderBy(e => e.Path).ToList();
        Assert.Equal([("/hello", "200", 0), ("/status/503", "503", 0)], exchanges);
    }

    private static void AssertTheRequestBeforeTheFaultStaysRecorded(string dbPath, int port)
    {
        using var db = new SqliteConnection($"Data Source={dbPath};Mode=ReadOnly");
        db.Open();
        var connection = db.QuerySingle<(long Id, long? ClosedNs, string OpenedBy)>("SELECT id, closed_ns, opened_by FROM connections WHERE comm = 'ia32_read'");
        Assert.Equal("connect", connection.OpenedBy);
        Assert.NotNull(connection.ClosedNs);
        long lastChunkNs = db.Query<(long Ts, byte[] Data, byte[]? Calls)>("SELECT ts_ns, data, calls FROM chunks WHERE conn_id = @id", new { id = connection.Id })
            .Max(r => ChunkCalls.LastTimestampNs(r.Ts, r.Calls, r.Data.Length));
        Assert.True(connection.ClosedNs >= lastChunkNs, $"closed at {connection.ClosedNs}, before its last chunk at {lastChunkNs}");
        var sent = Analyze.OnPort(Analyze.SlowestJson(dbPath), port)
            .Where(e => e.GetProperty("side").GetString() == "client" && e.GetProperty("comm").GetString() == "ia32_read")
            .Select(e => $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()}").ToList();
        Assert.Equal(["GET /hello"], sent);
    }
}
