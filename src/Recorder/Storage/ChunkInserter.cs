using Capture.Recorder.Capture;
using Capture.Recorder.Interop;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Capture.Recorder.Storage;

/// <summary>The one statement run for every chunk, on SQLite's own API: values are bound straight from
/// the event (the payload as a span, no copy; no boxing), which took the writer from ~4 µs to ~1 µs
/// per chunk (bench/profile.sh). It runs inside whatever transaction the connection has open.</summary>
internal sealed class ChunkInserter : IDisposable
{
    private const string Sql = """
        INSERT INTO chunks(conn_id, ts_ns, pid, tid, fd, direction, stream_pos, call_bytes, data_len, flags, source, tls, data)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
        """;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _insert;

    public ChunkInserter(SqliteConnection connection)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the recording db is not open");
        Check(raw.sqlite3_prepare_v2(_db, Sql, out _insert));
    }

    public void Insert(in DataEvent ev, ReadOnlySpan<byte> data)
    {
        var header = ev.Header;
        raw.sqlite3_bind_int64(_insert, 1, (long)header.ConnId);
        raw.sqlite3_bind_int64(_insert, 2, (long)header.TimestampNs);
        raw.sqlite3_bind_int64(_insert, 3, header.Pid);
        raw.sqlite3_bind_int64(_insert, 4, header.Tid);
        raw.sqlite3_bind_int64(_insert, 5, header.Fd);
        raw.sqlite3_bind_int64(_insert, 6, (long)ev.Direction);
        raw.sqlite3_bind_int64(_insert, 7, (long)ev.StreamPos);
        raw.sqlite3_bind_int64(_insert, 8, (long)ev.CallBytes);
        raw.sqlite3_bind_int64(_insert, 9, data.Length);
        raw.sqlite3_bind_int64(_insert, 10, (long)ev.Flags);
        raw.sqlite3_bind_text(_insert, 11, EventDecoder.SourceName(header.Source));
        raw.sqlite3_bind_int64(_insert, 12, ev.TlsLibrary == TlsLibrary.None ? 0 : 1);
        // A zero-length span would bind NULL; the column is NOT NULL, so bind an empty blob.
        if (data.IsEmpty) raw.sqlite3_bind_zeroblob(_insert, 13, 0);
        else raw.sqlite3_bind_blob(_insert, 13, data);
        int step = raw.sqlite3_step(_insert);
        raw.sqlite3_reset(_insert);
        if (step != raw.SQLITE_DONE) Check(step);
    }

    private void Check(int rc)
    {
        // Same exception as Microsoft.Data.Sqlite throws, so that WriteFailure names a full disk the same way.
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose() => _insert.Dispose();
}
