using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Capture.Recorder.Capture;
using Capture.Recorder.Interop;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Capture.Recorder.Storage;

/// <summary>The one statement run for every chunks row (a call, or a run of calls: <see cref="ChunkRuns"/>), on SQLite's own API: values are bound straight from
/// the event (no boxing), which took the writer from ~4 µs to ~1 µs per chunk (bench/profile.sh), through
/// <see cref="SqliteStatements"/> (no SafeHandle per call). Rows are gathered and inserted
/// <see cref="RowsPerStatement"/> at a time by one multi-row INSERT, whose per-statement work (step, halt,
/// reset) then counts once; <see cref="Flush"/> inserts what is gathered, and the writer calls it before each
/// commit. Rows keep their order. It runs inside whatever transaction the connection has open.</summary>
internal sealed unsafe class ChunkInserter : IDisposable
{
    public const int RowsPerStatement = 32;
    private const int Columns = 14;
    private const string Insert1 = "INSERT INTO chunks(conn_id, ts_ns, pid, tid, fd, direction, stream_pos, call_bytes, data_len, flags, source, tls, data, calls) VALUES ";
    private const string Row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _one, _many; // own the statements; _oneRow and _manyRows are their pointers
    private readonly nint _oneRow, _manyRows;

    /// <summary>The largest row: a run's data and its calls list.</summary>
    private const int MaxRowBytes = ChunkRuns.MaxRunBytes + ChunkRuns.MaxRunCalls * ChunkCalls.EntryBytes;

    /// <summary>The gathered rows' payloads and calls lists, back to back, in memory that never moves (bound
    /// SQLITE_STATIC). Room for a few of the largest rows, and for 32 chunks of the kernel's largest (16 KiB).</summary>
    private readonly byte[] _staging = GC.AllocateArray<byte>(Math.Max(4 * MaxRowBytes, RowsPerStatement * (CaptureAbi.ChunkBytes + 1024)), pinned: true);
    private readonly Pending[] _rows = new Pending[RowsPerStatement];
    private int _count, _stagingUsed;

    private struct Pending
    {
        public DataEvent Event;
        public int Offset, Length, CallsLength;
    }

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
        Check(raw.sqlite3_prepare_v2(_db, Insert1 + Row, out _one));
        Check(raw.sqlite3_prepare_v2(_db, Insert1 + string.Join(", ", Enumerable.Repeat(Row, RowsPerStatement)), out _many));
        _oneRow = _one.DangerousGetHandle();
        _manyRows = _many.DangerousGetHandle();
    }

    /// <param name="calls">The row's chunks.calls list; empty: the row is one call (stored NULL).</param>
    public void Insert(in DataEvent ev, ReadOnlySpan<byte> data, ReadOnlySpan<byte> calls)
    {
        int bytes = data.Length + calls.Length;
        if (bytes > _staging.Length - _stagingUsed) Flush();
        if (bytes > MaxRowBytes) throw new ArgumentException($"a chunks row of {bytes} bytes is larger than any the recorder builds", nameof(data));
        data.CopyTo(_staging.AsSpan(_stagingUsed));
        calls.CopyTo(_staging.AsSpan(_stagingUsed + data.Length));
        ref var row = ref _rows[_count++];
        row.Event = ev;
        row.Offset = _stagingUsed;
        row.Length = data.Length;
        row.CallsLength = calls.Length;
        _stagingUsed += bytes;
        if (_count == RowsPerStatement) Flush();
    }

    /// <summary>Inserts the rows gathered so far.</summary>
    public void Flush()
    {
        try
        {
            if (_count == RowsPerStatement)
            {
                for (int i = 0; i < _count; i++) Bind(_manyRows, i * Columns, _rows[i]);
                Run(_manyRows);
            }
            else
            {
                for (int i = 0; i < _count; i++)
                {
                    Bind(_oneRow, 0, _rows[i]);
                    Run(_oneRow);
                }
            }
        }
        finally
        {
            _count = 0;
            _stagingUsed = 0;
        }
    }

    private void Bind(nint s, int first, in Pending row)
    {
        ref readonly var ev = ref row.Event;
        ref readonly var header = ref ev.Header;
        SqliteStatements.BindInt64(s, first + 1, (long)header.ConnId);
        SqliteStatements.BindInt64(s, first + 2, (long)header.TimestampNs);
        SqliteStatements.BindInt64(s, first + 3, header.Pid);
        SqliteStatements.BindInt64(s, first + 4, header.Tid);
        SqliteStatements.BindInt64(s, first + 5, header.Fd);
        SqliteStatements.BindInt64(s, first + 6, (long)ev.Direction);
        SqliteStatements.BindInt64(s, first + 7, (long)ev.StreamPos);
        SqliteStatements.BindInt64(s, first + 8, (long)ev.CallBytes);
        SqliteStatements.BindInt64(s, first + 9, row.Length);
        SqliteStatements.BindInt64(s, first + 10, (long)ev.Flags);
        var (name, nameLength) = SourceNames[(byte)header.Source];
        SqliteStatements.BindText(s, first + 11, (byte*)name, nameLength, SqliteStatements.Static);
        SqliteStatements.BindInt64(s, first + 12, ev.TlsLibrary == TlsLibrary.None ? 0 : 1);
        // A zero-length blob would bind NULL; the column is NOT NULL, so bind an empty blob.
        if (row.Length == 0) SqliteStatements.BindZeroBlob(s, first + 13, 0);
        else SqliteStatements.BindBlob(s, first + 13, (byte*)Unsafe.AsPointer(ref _staging[row.Offset]), row.Length, SqliteStatements.Static);
        if (row.CallsLength == 0) SqliteStatements.BindNull(s, first + 14);
        else SqliteStatements.BindBlob(s, first + 14, (byte*)Unsafe.AsPointer(ref _staging[row.Offset + row.Length]), row.CallsLength, SqliteStatements.Static);
    }

    private void Run(nint statement)
    {
        int step = SqliteStatements.Step(statement);
        SqliteStatements.Reset(statement);
        if (step != raw.SQLITE_DONE) Check(step);
    }

    private void Check(int rc)
    {
        // Same exception as Microsoft.Data.Sqlite throws, so that WriteFailure names a full disk the same way.
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose()
    {
        _one.Dispose();
        _many.Dispose();
    }
}
