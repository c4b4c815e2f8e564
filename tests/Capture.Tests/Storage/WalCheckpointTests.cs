using Capture.Recorder.Storage;
using Capture.Tests.Support;
using Dapper;

namespace Capture.Tests.Storage;

/// <summary>A recording's write-ahead log is copied back into the db beside the writer, not in its commits.</summary>
public class WalCheckpointTests
{
    [Fact]
    public void Committed_rows_reach_the_db_file_while_the_recording_goes_on_though_the_writer_never_checkpoints()
    {
        using var dir = new TempDir();
        var path = dir.File("run.db");
        using var db = RunDatabase.Create(path);
        long emptySize = new FileInfo(path).Length;

        // 8 MiB of chunks: far below the writer's own checkpoint threshold, so only the checkpointer moves them.
        var payload = new byte[16 * 1024];
        using (var tx = db.Connection.BeginTransaction())
        {
            for (int i = 0; i < 512; i++)
                db.Connection.Execute("""
                    INSERT INTO chunks(conn_id, ts_ns, pid, tid, fd, direction, stream_pos, call_bytes, data_len, flags, source, tls, data)
                    VALUES (1, @i, 1, 1, 3, 0, @pos, 16384, 16384, 0, 'write', 0, @payload)
                    """, new { i, pos = i * 16384L, payload }, tx);
            tx.Commit();
        }
        Assert.True(8L * 1024 * 1024 / (16 * 1024) < WalCheckpointer.WriterAutocheckpointPages);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (new FileInfo(path).Length < emptySize + 8L * 1024 * 1024 && DateTime.UtcNow < deadline)
            Thread.Sleep(50);
        Assert.True(new FileInfo(path).Length >= emptySize + 8L * 1024 * 1024,
            $"db file {new FileInfo(path).Length} B after 10 s; it held {emptySize} B empty");
    }
}
