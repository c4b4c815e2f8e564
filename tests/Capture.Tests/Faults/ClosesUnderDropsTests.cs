using Capture.Tests.EndToEnd;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Faults;

/// <summary>
/// A connection's close carries its byte counts, which tell the analyzer of bytes lost after the last call it has. A
/// close event that finds the ring buffer full waits in a kernel map for the recorder's next sweep instead of being
/// dropped: downloads that overflow a 1 MiB ring still end every connection recorded, with its true totals.
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class ClosesUnderDropsTests
{
    private const int Downloads = 12;
    private const int FileBytes = 16 * 1024 * 1024;

    [Fact]
    public void Every_connection_keeps_its_close_and_byte_counts_when_the_ring_buffer_overflows()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        Peers.NginxFile(dir.Path, "big", FileBytes);
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString(), "--ring-buffer-mb", "1");

        // Parallel downloads, so that connections end while others still fill the ring.
        Parallel.For(0, Downloads, new ParallelOptions { MaxDegreeOfParallelism = Downloads },
            _ => Peers.Curl("-o", "/dev/null", $"http://127.0.0.1:{port}/big"));
        Thread.Sleep(1500); // past the recorder's next sweep, as a user's Ctrl-C would usually be
        Assert.Equal(0, recorder.Stop());

        using var db = new SqliteConnection($"Data Source={recorder.DbPath};Mode=ReadOnly;Pooling=False");
        db.Open();
        long drops = long.Parse(db.ExecuteScalar<string>("SELECT value FROM run_info WHERE key = 'kernel_drops'")!);
        Assert.True(drops > 0, "the downloads did not overflow a 1 MiB ring: this test shows nothing without drops");
        var connections = db.Query<(string Role, long? ClosedNs, long? Sent, long? Received)>(
            "SELECT role, closed_ns, bytes_sent, bytes_received FROM connections WHERE local_port = @port OR remote_port = @port",
            new { port }).ToList();
        Assert.NotEmpty(connections);
        Assert.All(connections, c =>
        {
            Assert.NotNull(c.ClosedNs);
            // The server sent the whole file, and the client received it, whatever the ring lost of the bytes.
            long bodyCarrier = c.Role == "server" ? c.Sent!.Value : c.Received!.Value;
            Assert.True(bodyCarrier > FileBytes, $"{c.Role}: {c.Sent} sent, {c.Received} received");
        });
    }
}
