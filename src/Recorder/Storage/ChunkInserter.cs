using System.Runtime.InteropServices;
using System.Text;
using Capture.Recorder.Capture;
using Capture.Recorder.Interop;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Capture.Recorder.Storage;

/// <summary>The one statement run for every chunk, on SQLite's own API: values are bound straight from
/// the event (the payload as a pinned span, no copy; no boxing), which took the writer from ~4 µs to ~1 µs
/// per chunk (bench/profile.sh), through <see cref="SqliteStatements"/> (no SafeHandle per call). It runs inside
/// whatever transaction the connection has open.</summary>
internal sealed unsafe class ChunkInserter : IDisposable
{
    private const string Sql = """
        INSERT INTO chunks(conn_id, ts_ns, pid, tid, fd, direction, stream_pos, call_bytes, data_len, flags, source, tls, data)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
        """;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _insert; // owns the statement; _statement is its pointer
    private readonly nint _statement;

    /// <summary>chunks.source names as UTF-8, by EventSource value, in memory that never moves (bound SQLITE_STATIC).</summary>
    private static readonly (nint Utf8, int Length)[] SourceNames = [.. Enumerable.Range(0, 256).Select(i =>
    {
        var bytes = Encoding.UTF8.GetBytes(EventDecoder.SourceName((EventSource)i));
        var native = (byte*)NativeMemory.Alloc((nuint)Math.Max(bytes.Length, 1));
        bytes.CopyTo(new Span<byte>(native, bytes.Length));
        return ((nint)native, bytes.Length);
    })];

    public ChunkInserter(SqliteConnection connection)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the recording db is not open");
        Check(raw.sqlite3_prepare_v2(_db, Sql, out _insert));
        _statement = _insert.DangerousGetHandle();
    }

    public void Insert(in DataEvent ev, ReadOnlySpan<byte> data)
    {
        var s = _statement;
        ref readonly var header = ref ev.Header;
        SqliteStatements.BindInt64(s, 1, (long)header.ConnId);
        SqliteStatements.BindInt64(s, 2, (long)header.TimestampNs);
        SqliteStatements.BindInt64(s, 3, header.Pid);
        SqliteStatements.BindInt64(s, 4, header.Tid);
        SqliteStatements.BindInt64(s, 5, header.Fd);
        SqliteStatements.BindInt64(s, 6, (long)ev.Direction);
        SqliteStatements.BindInt64(s, 7, (long)ev.StreamPos);
        SqliteStatements.BindInt64(s, 8, (long)ev.CallBytes);
        SqliteStatements.BindInt64(s, 9, data.Length);
        SqliteStatements.BindInt64(s, 10, (long)ev.Flags);
        var (name, nameLength) = SourceNames[(byte)header.Source];
        SqliteStatements.BindText(s, 11, (byte*)name, nameLength, SqliteStatements.Static);
        SqliteStatements.BindInt64(s, 12, ev.TlsLibrary == TlsLibrary.None ? 0 : 1);
        int step;
        fixed (byte* bytes = data)
        {
            // A zero-length blob would bind NULL; the column is NOT NULL, so bind an empty blob.
            if (data.IsEmpty) SqliteStatements.BindZeroBlob(s, 13, 0);
            else SqliteStatements.BindBlob(s, 13, bytes, data.Length, SqliteStatements.Static);
            step = SqliteStatements.Step(s);
            SqliteStatements.Reset(s);
        }
        if (step != raw.SQLITE_DONE) Check(step);
    }

    private void Check(int rc)
    {
        // Same exception as Microsoft.Data.Sqlite throws, so that WriteFailure names a full disk the same way.
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose() => _insert.Dispose();
}
