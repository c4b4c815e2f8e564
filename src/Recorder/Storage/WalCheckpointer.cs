using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Recorder.Storage;

/// <summary>Copies the recording's write-ahead log back into the db on a thread of its own, so that the writer does
/// not wait for the disk. SQLite checkpoints inside the commit that takes the log past wal_autocheckpoint, and with
/// synchronous=NORMAL that checkpoint syncs the log and then the db: two fsyncs every few MiB on the writer's thread,
/// during which the ring buffer filled and the kernel dropped events at saturation on a disk (bench: 3k-40k drops in 5 s
/// of HTTP/1.1 at 90k req/s; none with the db on tmpfs, none with this).
///
/// This connection makes the same syncs, so a power cut leaves what it would have left before. The writer keeps an
/// autocheckpoint of its own, far larger (<see cref="WriterAutocheckpointPages"/>), that only copies the few frames
/// added since this thread's last pass: a log starts over only when a transaction begins with every frame copied
/// back, which a checkpointer beside a writer that is always in a transaction never sees.</summary>
internal sealed class WalCheckpointer : IDisposable
{
    /// <summary>How long the log may grow before the writer ends it itself: 64 MiB.</summary>
    public const int WriterAutocheckpointPages = (64 << 20) / RunDatabase.PageBytes;

    /// <summary>Each pass syncs the log and the db whatever it copies: every 100 ms, this thread took 0.33-0.47 ms CPU
    /// per 1k requests at saturation, every 1 s 0.22-0.29 (2026-12-07, wrk -c32, server only). Half a second keeps most
    /// of that saving while the writer's own checkpoint (<see cref="WriterAutocheckpointPages"/>) still finds little
    /// left to copy: at 30 MB/s of chunks, at most 15 MB, which the 16 MiB queue and the ring absorb.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly SqliteConnection _connection;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;

    public WalCheckpointer(string dbPath)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = dbPath, Pooling = false }.ToString());
        _connection.Open();
        _connection.Execute("PRAGMA synchronous = NORMAL;");
        _thread = new Thread(Run) { IsBackground = true, Name = "wal checkpoint" };
        _thread.Start();
    }

    private void Run()
    {
        while (!_stop.Wait(Interval))
        {
            // PASSIVE: copies what no reader still needs and never blocks the writer. A failure (disk full) is the
            // writer's to report; the log then stays whole, and the final checkpoint tries again.
            try { _connection.Execute("PRAGMA wal_checkpoint(PASSIVE);"); }
            catch (SqliteException) { return; }
        }
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _connection.Dispose();
        _stop.Dispose();
    }
}
