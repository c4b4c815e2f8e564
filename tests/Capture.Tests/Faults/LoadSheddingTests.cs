using Capture.Tests.EndToEnd;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Faults;

/// <summary>
/// Bulk downloads on loopback move bytes faster than the recorder stores them. Once the kernel's ring buffer is nearly
/// full, each call keeps only its first KiB instead of whole events being dropped: every exchange keeps its status,
/// true size and timing, flagged truncated (its body partial), never gap, and the recorder and the analyzer both say
/// how many calls were cut.
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class LoadSheddingTests
{
    private const int Downloads = 2;
    private const string DownloadRate = "150M";
    private const int BodyBytes = 100 * 1024 * 1024;
    private const int ShedKeptBytes = 1024; // bpf/capture.h CAPTURE_SHED_KEPT_BYTES
    private const int DataFlagTruncated = 1, DataFlagShed = 8;

    [Fact]
    public void A_recorder_behind_bulk_downloads_cuts_calls_to_their_first_KiB_and_loses_no_event()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        Peers.NginxFile(dir.Path, "big", BodyBytes);
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());

        // At a rate the recorder's writer cannot store, both ends recorded, but one that leaves the machine's CPUs the time
        // to read the cut calls out of the ring: a recorder kept off the CPU altogether can still meet drops.
        for (int i = 0; i < Downloads; i++) Peers.Curl("--limit-rate", DownloadRate, "-o", "/dev/null", $"http://127.0.0.1:{port}/big");
        Thread.Sleep(500);
        Assert.Equal(0, recorder.Stop());

        using (var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly;Pooling=False"))
        {
            db.Open();
            long shed = long.Parse(db.ExecuteScalar<string>("SELECT value FROM run_info WHERE key = 'shed_calls'")!);
            Assert.True(shed > 0, "the downloads did not outrun the recorder: this test shows nothing without load shedding");
            Assert.Equal("0", db.ExecuteScalar<string>("SELECT value FROM run_info WHERE key = 'kernel_drops'"));
            Assert.Equal(shed, db.ExecuteScalar<long>("SELECT count(*) FROM chunks WHERE flags & @shedBit", new { shedBit = DataFlagShed }));
            // Each cut call is one row: its first KiB, flagged truncated too, counting the whole call's bytes.
            var cut = db.Query<(long Flags, long DataLen, long CallBytes)>(
                "SELECT flags, data_len, call_bytes FROM chunks WHERE flags & @shedBit", new { shedBit = DataFlagShed }).ToList();
            Assert.All(cut, c =>
            {
                Assert.Equal(DataFlagTruncated, c.Flags & DataFlagTruncated);
                Assert.Equal(ShedKeptBytes, c.DataLen);
                Assert.True(c.CallBytes > ShedKeptBytes, $"a call of {c.CallBytes} bytes was cut");
            });
        }
        Assert.Contains("calls kept only their first KiB", recorder.Output);

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(2 * Downloads, exchanges.Count); // the client's and the server's side of each
        foreach (var e in exchanges)
        {
            var flags = e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()).ToList();
            Assert.Equal(200, e.GetProperty("status").GetInt32());
            Assert.Equal(["truncated"], flags);
            Assert.True(e.GetProperty("resp_bytes").GetInt64() is > BodyBytes + 100 and < BodyBytes + 1000, e.ToString());
        }
        var analyzed = ProcessRunner.Run(Repo.AnalyzeBinary, [recorder.DbPath, "--slowest", "1"]);
        Assert.Contains("kept only the first KiB of", analyzed.Stderr);
    }
}
