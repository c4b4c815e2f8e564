using Capture.Analyzer.Recording;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Faults;

/// <summary>What a recording left by a fault must still be: a sound SQLite file whose committed requests all analyze.</summary>
internal static class RecordingChecks
{
    /// <summary>SQLite's own verdict on the file; opened read-write, as `sqlite3` would, so that a WAL left by a killed writer is recovered first.</summary>
    public static string IntegrityCheck(string db)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
        connection.Open();
        return string.Join("; ", connection.Query<string>("PRAGMA integrity_check"));
    }

    /// <summary>Calls that begin a GET on connections to or from <paramref name="port"/>: one per request the recorder committed,
    /// counted on each side that was recorded (each request is written whole, in one syscall, by HttpClient and read whole by nginx).</summary>
    public static long RequestsCommitted(string db, int port)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var rows = connection.Query<(long Ts, byte[] Data, byte[]? Calls)>("""
            SELECT c.ts_ns, c.data, c.calls FROM chunks c JOIN connections k ON c.conn_id = k.id
            WHERE (k.local_port = @port OR k.remote_port = @port)
            """, new { port });
        return rows.Sum(r => ChunkCalls.Of(r.Ts, r.Calls, r.Data.Length).Count(call => r.Data.AsSpan(call.Offset, call.Length).StartsWith("GET "u8)));
    }

    /// <summary>Exchanges on the port that `analyze --slowest --json` reports with a request.</summary>
    public static int RequestsAnalyzed(string db, int port) =>
        Analyze.OnPort(Analyze.SlowestJson(db), port).Count(e => e.GetProperty("method").ValueKind == System.Text.Json.JsonValueKind.String);

    /// <summary>uprobes that libbpf created through tracefs for this pid (it names them libbpf_PID_...); none may outlive it.</summary>
    public static string[] TracefsProbesOf(int pid)
    {
        foreach (var events in new[] { "/sys/kernel/tracing/uprobe_events", "/sys/kernel/debug/tracing/uprobe_events" })
            if (File.Exists(events))
                return File.ReadAllLines(events).Where(l => l.Contains($"libbpf_{pid}_")).ToArray();
        return [];
    }
}
