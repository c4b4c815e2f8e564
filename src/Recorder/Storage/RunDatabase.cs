using System.Reflection;
using Capture.Recorder.Probes;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Recorder.Storage;

/// <summary>Creates the recording db (mode 0600: it holds other people's traffic) and keeps its manifest.</summary>
internal sealed class RunDatabase : IDisposable
{
    public const int SchemaVersion = 2; // Schema.sql sets the same user_version; a test checks they agree

    /// <summary>The recording's page size (<see cref="Create"/> says why).</summary>
    public const int PageBytes = 65536;

    public SqliteConnection Connection { get; }
    public string Path { get; }
    private readonly WalCheckpointer _checkpointer;

    private RunDatabase(string path, SqliteConnection connection)
    {
        Path = path;
        Connection = connection;
        _checkpointer = new WalCheckpointer(path);
    }

    public static RunDatabase Create(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        // Create the file ourselves first so that it is never readable by others, not even for a moment.
        using (File.Create(full, 1, FileOptions.None)) { }
        File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        SingleThreadedSqlite();
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString());
        connection.Open();
        // 64 KiB pages, SQLite's largest (set while the file is empty, before WAL): the writer's kernel time was the
        // WAL's page writes and their checkpoint (a pwrite per frame header and per page, a pread and a pwrite per page
        // copied back), and the count of those calls falls with the page count: a syscall is dear in a virtual machine.
        // Rows are the same whatever the page size; an empty recording is larger (a page per table and index). The log
        // is copied back by a thread of its own (WalCheckpointer); the writer's own checkpoint is its backstop.
        connection.Execute($"PRAGMA page_size = {PageBytes}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = {WalCheckpointer.WriterAutocheckpointPages};");
        using (var tx = connection.BeginTransaction())
        {
            connection.Execute(Schema.Tables, transaction: tx);
            tx.Commit();
        }
        foreach (var side in new[] { "-wal", "-shm" })
            if (File.Exists(full + side)) File.SetUnixFileMode(full + side, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new RunDatabase(full, connection);
    }

    /// <summary>SQLite's multi-thread mode: no mutex around each call on a connection (bind, step, reset: ~8% of the
    /// writer's time in pthread_mutex_lock/unlock, perf). Safe because the recording's one connection is used by one
    /// thread at a time: the main thread before the writer starts and after it ends, the writer's thread between.
    /// Memory statistics, which take a global mutex per allocation, are off too. Takes effect only before SQLite's
    /// first use in the process; later it is refused (SQLITE_MISUSE) and serialized mode stays, which is merely slower.</summary>
    private static void SingleThreadedSqlite()
    {
        SQLitePCL.Batteries_V2.Init();
        SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MULTITHREAD);
        SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MEMSTATUS, 0);
    }

    /// <summary>Schema.sql, split: its indexes are built when the recording ends (<see cref="BuildIndexes"/>), because
    /// keeping chunks_by_stream up to date on every insert doubled the writer's cost per chunk (bench/profile.sh).</summary>
    private static readonly (string Tables, string Indexes) Schema = SplitSchema(ReadSchema());

    private static string ReadSchema()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Schema.sql")
            ?? throw new InvalidOperationException("Schema.sql is not embedded in the Recorder");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static (string Tables, string Indexes) SplitSchema(string sql)
    {
        var lines = sql.Split('\n');
        bool IsIndex(string line) => line.StartsWith("CREATE INDEX ", StringComparison.Ordinal);
        return (string.Join('\n', lines.Where(l => !IsIndex(l))),
                string.Join('\n', lines.Where(IsIndex).Select(l => l.Replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", StringComparison.Ordinal))));
    }

    /// <summary>Builds the indexes the Analyzer reads by, once the chunks are all in. A recorder killed before
    /// this leaves a db without them; the Analyzer builds them on first open (or reads without them).</summary>
    public void BuildIndexes()
    {
        try { Connection.Execute(Schema.Indexes); }
        catch (SqliteException) { } // a full disk: the recording stays valid, only slower to analyze
    }

    /// <summary>Deletes a recording db and the WAL files beside it, those that exist.</summary>
    public static void Delete(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            if (File.Exists(path + suffix)) File.Delete(path + suffix);
    }

    public void SetInfo(string key, object? value) =>
        Connection.Execute("INSERT INTO run_info(key, value) VALUES (@key, @value) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            new { key, value = value?.ToString() });

    public void SetInfo(IEnumerable<KeyValuePair<string, object?>> values)
    {
        using var tx = Connection.BeginTransaction();
        foreach (var (key, value) in values)
            Connection.Execute("INSERT INTO run_info(key, value) VALUES (@key, @value) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                new { key, value = value?.ToString() }, tx);
        tx.Commit();
    }

    /// <summary>The probes tried at start, in one transaction: a commit each wrote a page of the log apiece, and a
    /// program linked to several TLS libraries tries dozens.</summary>
    public void RecordProbes(IEnumerable<ProbeReport> probes)
    {
        using var tx = Connection.BeginTransaction();
        foreach (var p in probes)
            Connection.Execute("INSERT OR REPLACE INTO probes(name, kind, target, status, detail) VALUES (@Name, @Kind, @Target, @Status, @Detail)", p, tx);
        tx.Commit();
    }

    public void Dispose()
    {
        _checkpointer.Dispose();
        BuildIndexes();
        // Fold the WAL back so that the file stands alone when copied elsewhere.
        try { Connection.Execute("PRAGMA wal_checkpoint(TRUNCATE);"); } catch (SqliteException) { }
        Connection.Dispose();
    }
}
