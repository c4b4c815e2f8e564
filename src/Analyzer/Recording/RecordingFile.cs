using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Analyzer.Recording;

/// <summary>Opens a recording read-only and checks that it is one this Analyzer understands.
/// Every refusal is a <see cref="RecordingFileException"/> with one line a user can act on.</summary>
internal sealed class RecordingFile : IDisposable
{
    public const int SupportedSchemaVersion = 2;

    public SqliteConnection Connection { get; }
    public string Path { get; }
    public RunInfo Run { get; }

    private RecordingFile(string path, SqliteConnection connection, RunInfo run)
    {
        Path = path;
        Connection = connection;
        Run = run;
    }

    public static RecordingFile Open(string path)
    {
        if (Directory.Exists(path)) throw new RecordingFileException($"{path} is a directory, not a Capture recording");
        if (!File.Exists(path)) throw new RecordingFileException($"{path}: no such file");
        if (!LooksLikeSqlite(path)) throw new RecordingFileException($"{path} is not a Capture recording (not an SQLite database)");

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            var version = connection.ExecuteScalar<long>("PRAGMA user_version");
            var hasRunInfo = connection.ExecuteScalar<long>("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'run_info'") == 1;
            if (!hasRunInfo)
                throw new RecordingFileException($"{path} is not a Capture recording (an SQLite database without Capture's tables)");
            // SQLite's user_version is 0 until set, and a signed 32-bit number: Capture's versions count from 1, so 0 or a
            // negative one was written by something else (or never written) and says nothing of what the tables hold.
            if (version < 1)
                throw new RecordingFileException($"{path} is not a Capture recording (schema version {version}; Capture's are 1 to {SupportedSchemaVersion})");
            if (version > SupportedSchemaVersion)
                throw new RecordingFileException($"{path} was written by a newer Capture (schema {version}; this analyze reads up to {SupportedSchemaVersion}): update Capture");
            RecordingSchema.Check(connection, path);
            StreamIndexes.EnsureBuilt(path, connection);
            var info = connection.Query<(string Key, string? Value)>("SELECT key, value FROM run_info").ToDictionary(r => r.Key, r => r.Value);
            return new RecordingFile(path, connection, RunInfo.From(info, connection));
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new RecordingFileException($"{path} cannot be read as a Capture recording: {e.Message}");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static bool LooksLikeSqlite(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[16];
            return file.Read(magic) == 16 && magic.SequenceEqual("SQLite format 3\0"u8);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException e) { throw new RecordingFileException($"{path}: {e.Message} (recordings are mode 0600: use sudo, or chown the file)"); }
    }

    public void Dispose() => Connection.Dispose();
}

/// <summary>A recording the Analyzer cannot use; the message is one line (SQLite's own messages can span several).</summary>
internal sealed class RecordingFileException(string message) : Exception(message.ReplaceLineEndings(" "));

/// <summary>The manifest fields the Analyzer uses.</summary>
internal sealed record RunInfo(long MonotonicToWallOffsetNs, long? LastTimestampNs, IReadOnlyDictionary<string, string?> All)
{
    /// <summary>HTTP/2 streams the recorder's --allow/--deny kept out (connection, TLS stream or not, stream id).</summary>
    public IReadOnlySet<(long ConnId, bool Tls, int StreamId)> DeniedStreams { get; init; } = new HashSet<(long, bool, int)>();

    /// <summary>The fields and query parameters whose values the recorder replaced.</summary>
    public RedactionInfo Redaction { get; init; } = RedactionInfo.None;

    /// <summary>processes: the comm the recorder filed each pid under.</summary>
    public IReadOnlyDictionary<long, string> ProcessNames { get; init; } = new Dictionary<long, string>();

    /// <summary>The name of the process that moved an exchange's bytes: for the connection's own pid, the connection's
    /// (the thread that opened it; or, when its row has none, known only by a TCP_CLOSE, the pid's); for another pid (a
    /// forking server's child, a process the fd was passed to), the one that pid was filed under, which the opener's
    /// would misname. Empty when the recording names it nowhere.</summary>
    public string CommOf(ConnectionRow conn, long pid) =>
        pid == conn.Pid && conn.Comm.Length > 0 ? conn.Comm : ProcessNames.GetValueOrDefault(pid) ?? "";

    public bool IsDenied(ConnectionRow conn, int streamId) =>
        DeniedStreams.Count > 0 && DeniedStreams.Contains((conn.Id, conn.Tls, streamId));

    public static RunInfo From(Dictionary<string, string?> info, SqliteConnection db)
    {
        long offset = long.TryParse(info.GetValueOrDefault("monotonic_to_wall_offset_ns"), out var o) ? o : 0;
        // A killed recorder never wrote ended_at: the last chunk is the best end we know.
        var last = LastCallNs(db);
        // Recordings made before --allow/--deny covered HTTP/2 have no such table.
        bool hasDenied = db.ExecuteScalar<long>("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'denied_streams'") == 1;
        var denied = hasDenied
            ? db.Query<(long, long, long)>("SELECT conn_id, tls, stream_id FROM denied_streams").Select(r => (r.Item1, r.Item2 != 0, (int)r.Item3)).ToHashSet()
            : [];
        var names = db.Query<(long Pid, string Comm)>("SELECT pid, comm FROM processes").ToDictionary(p => p.Pid, p => p.Comm);
        return new RunInfo(offset, last, info) { DeniedStreams = denied, Redaction = RedactionInfo.From(info), ProcessNames = names };
    }

    /// <summary>When the last captured call happened: the latest row, or a call inside a run that began before it.</summary>
    private static long? LastCallNs(SqliteConnection db)
    {
        var lastRow = db.ExecuteScalar<long?>("SELECT max(ts_ns) FROM chunks");
        if (lastRow is not { } last) return null;
        // A run holds calls of one commit of the recorder (200 ms of events, a little more behind a backlog), so only
        // rows that began in the last seconds can hold a later call. Reading calls means reading past data: keep it few.
        var runs = db.Query<(long Ts, byte[] Calls, long Length)>(
            $"SELECT ts_ns, {ChunkCalls.ColumnIn(db)} AS calls, length(data) FROM chunks WHERE ts_ns >= @since AND calls IS NOT NULL",
            new { since = last - 5_000_000_000L });
        foreach (var (ts, calls, length) in runs) last = Math.Max(last, ChunkCalls.LastTimestampNs(ts, calls, (int)length));
        return last;
    }

    public DateTimeOffset WallClock(long monotonicNs) =>
        DateTimeOffset.UnixEpoch.AddTicks((monotonicNs + MonotonicToWallOffsetNs) / 100);

    /// <summary>"at 12:00:01" or "between 12:00:01 and 12:00:05" (UTC, to the second), for a note about a stretch of the recording.</summary>
    public string Window(long firstNs, long lastNs)
    {
        string from = WallClock(firstNs).UtcDateTime.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        string to = WallClock(lastNs).UtcDateTime.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        return from == to ? $"at {from}" : $"between {from} and {to}";
    }
}
