using Capture.Recorder.Storage;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Fuzz;

/// <summary>
/// A small, valid recording made with the Recorder's own schema (no BPF needed): the HTTP/1 keep-alive fixture
/// seen from both sides, and the HTTP/2 fixture session, cut into chunks as syscalls would cut them. It spans
/// enough pages that corrupting one page hits a table, an index or a blob.
/// </summary>
internal static class SeedRecording
{
    public static byte[] Create(string path)
    {
        using (var db = RunDatabase.Create(path))
        {
            db.SetInfo(new Dictionary<string, object?> { ["schema_version"] = RunDatabase.SchemaVersion, ["monotonic_to_wall_offset_ns"] = 1_700_000_000_000_000_000L });
            var random = new Random(5);
            byte[] requests = File.ReadAllBytes(Repo.Fixture("http1/keepalive-session.requests.http"));
            byte[] responses = File.ReadAllBytes(Repo.Fixture("http1/keepalive-session.responses.http"));
            AddConnection(db.Connection, random, 1, "client", requests, responses);
            AddConnection(db.Connection, random, 2, "server", responses, requests);
            AddConnection(db.Connection, random, 3, "client", File.ReadAllBytes(Repo.Fixture("http2/session.client.bin")),
                File.ReadAllBytes(Repo.Fixture("http2/session.server.bin")));
        }
        return File.ReadAllBytes(path);
    }

    /// <summary>The same recording with its chunks stored as the recorder stores them: runs of calls in a row.</summary>
    public static byte[] CreateWithRuns(string path)
    {
        Create(path + ".per-call");
        RunsRecording.Rejoin(path + ".per-call", path);
        return File.ReadAllBytes(path);
    }

    /// <summary>One connection: <paramref name="sent"/> as egress, <paramref name="received"/> as ingress.</summary>
    private static void AddConnection(SqliteConnection db, Random random, long id, string role, byte[] sent, byte[] received)
    {
        using var tx = db.BeginTransaction();
        db.Execute("""
            INSERT INTO connections(id, pid, tid, comm, fd, role, opened_by, family, local_addr, local_port, remote_addr, remote_port, mid_stream, opened_ns, closed_ns)
            VALUES (@id, 100, 100, 'fuzz', 3, @role, 'connect', 4, '127.0.0.1', 40000, '127.0.0.1', 80, 0, 1000, 9000000000)
            """, new { id, role }, tx);
        long ts = 1_000_000;
        foreach (var (direction, bytes) in new[] { (0, sent), (1, received) })
        {
            for (int pos = 0; pos < bytes.Length;)
            {
                int length = Math.Min(bytes.Length - pos, random.Next(1, 2048));
                db.Execute("""
                    INSERT INTO chunks(conn_id, ts_ns, pid, tid, fd, direction, stream_pos, call_bytes, data_len, flags, source, tls, data)
                    VALUES (@id, @ts, 100, 100, 3, @direction, @pos, @length, @length, 0, 'write', 0, @data)
                    """, new { id, ts, direction, pos, length, data = bytes[pos..(pos + length)] }, tx);
                pos += length;
                ts += random.Next(1, 5_000_000);
            }
        }
        tx.Commit();
    }
}
