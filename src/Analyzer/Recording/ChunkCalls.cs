using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Analyzer.Recording;

/// <summary>
/// Reads chunks.calls (docs/schema.md), which the recorder's Capture.Recorder.Storage.ChunkCalls writes: a row that
/// holds a run of whole calls lists them in stream order, 12 bytes each, little-endian int64 ts_ns then int32 bytes.
/// A row without the list (NULL, a recording made before runs, or a list that does not add up to the row's data) is
/// one call at the row's ts_ns: its bytes stay exact, only the times inside it are lost.
/// </summary>
internal static class ChunkCalls
{
    public const int EntryBytes = 12;

    private static readonly ConditionalWeakTable<SqliteConnection, string> Column = [];

    /// <summary>The calls column to select: "calls", or "NULL" in a recording of schema 1, which had none.</summary>
    public static string ColumnIn(SqliteConnection db) => Column.GetValue(db, d =>
        d.ExecuteScalar<long>("SELECT count(*) FROM pragma_table_info('chunks') WHERE name = 'calls'") == 1 ? "calls" : "NULL");

    /// <summary>One call of a row: when it happened, and where its bytes sit in the row's data.</summary>
    public readonly record struct Call(long TimestampNs, int Offset, int Length);

    /// <summary>The calls a row holds: those of its list when the list is whole, else the row itself as one call.</summary>
    public static IEnumerable<Call> Of(long rowTimestampNs, byte[]? calls, int dataLength)
    {
        if (!IsWhole(calls, dataLength))
        {
            yield return new Call(rowTimestampNs, 0, dataLength);
            yield break;
        }
        int offset = 0;
        for (int at = 0; at < calls!.Length; at += EntryBytes)
        {
            var (ts, length) = Read(calls, at);
            yield return new Call(ts, offset, length);
            offset += length;
        }
    }

    /// <summary>The time of a row's last call.</summary>
    public static long LastTimestampNs(long rowTimestampNs, byte[]? calls, int dataLength) =>
        IsWhole(calls, dataLength) ? Read(calls!, calls!.Length - EntryBytes).TimestampNs : rowTimestampNs;

    private static bool IsWhole(byte[]? calls, int dataLength)
    {
        if (calls is null || calls.Length == 0 || calls.Length % EntryBytes != 0) return false;
        long total = 0;
        for (int at = 0; at < calls.Length; at += EntryBytes)
        {
            int length = Read(calls, at).Length;
            if (length < 0) return false;
            total += length;
        }
        return total == dataLength;
    }

    private static (long TimestampNs, int Length) Read(byte[] calls, int at) =>
        (BinaryPrimitives.ReadInt64LittleEndian(calls.AsSpan(at)), BinaryPrimitives.ReadInt32LittleEndian(calls.AsSpan(at + 8)));
}
