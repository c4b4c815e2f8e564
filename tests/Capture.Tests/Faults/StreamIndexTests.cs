using Capture.Tests.EndToEnd;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Faults;

/// <summary>
/// chunks_by_stream is built when a recording ends, not on every insert (that halved the writer's cost per
/// chunk). A recording whose recorder was killed has none until its first analysis builds it; the answers are
/// the same either way.
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class StreamIndexTests
{
    [Fact]
    public void A_finished_recording_has_its_stream_index_and_a_killed_one_gets_it_from_its_first_analysis()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        using var traffic = new TrafficLoop($"http://127.0.0.1:{port}/hello", TimeSpan.FromMilliseconds(2));

        var finishedDir = Directory.CreateDirectory(dir.File("finished")).FullName;
        using (var finished = RecorderRun.Start(finishedDir, "--port", port.ToString()))
        {
            WaitForCommittedRequests(finished.DbPath, port);
            Assert.Equal(0, finished.Stop());
            Assert.True(HasStreamIndex(finished.DbPath), "a recording that ended normally lacks chunks_by_stream");
        }

        var killedDir = Directory.CreateDirectory(dir.File("killed")).FullName;
        using var killed = RecorderRun.Start(killedDir, "--port", port.ToString());
        WaitForCommittedRequests(killed.DbPath, port);
        killed.Kill();
        Assert.False(HasStreamIndex(killed.DbPath), "the index was built during the recording, not at its end");
        long committed = RecordingChecks.RequestsCommitted(killed.DbPath, port);
        Assert.Equal(committed, RecordingChecks.RequestsAnalyzed(killed.DbPath, port));
        Assert.True(HasStreamIndex(killed.DbPath), "analyzing a killed recording did not build chunks_by_stream");
        Assert.Equal("ok", RecordingChecks.IntegrityCheck(killed.DbPath));
    }

    private static void WaitForCommittedRequests(string db, int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(db) && RecordingChecks.RequestsCommitted(db, port) >= 5) return;
            Thread.Sleep(100);
        }
        Assert.Fail($"no requests were committed to {db} within 20 s");
    }

    private static bool HasStreamIndex(string db)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection.ExecuteScalar<long>("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'chunks_by_stream'") == 1;
    }
}
