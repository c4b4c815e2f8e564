using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Analyzer.Recording;

/// <summary>
/// The tables and columns the Analyzer reads (docs/schema.md), and the SQLite storage class each value must
/// have. SQLite keeps any value in any column, so a damaged or hand-edited file can hold text where a stream
/// position belongs; checking once at open turns that into one clear refusal instead of a failure deep in
/// the analysis. typeof() reads only each row's header, never its blob, so the check stays cheap.
/// </summary>
internal static class RecordingSchema
{
    private const string Integer = "integer", Text = "text", Blob = "blob", Null = "null";

    private static readonly (string Table, (string Column, string[] Types)[] Columns)[] Read =
    [
        ("run_info", [("key", [Text]), ("value", [Text, Null])]),
        ("connections",
        [
            ("id", [Integer]), ("pid", [Integer]), ("tid", [Integer]), ("comm", [Text]), ("fd", [Integer]), ("role", [Text]),
            ("opened_by", [Text]), ("family", [Integer]), ("local_addr", [Text]), ("local_port", [Integer]), ("remote_addr", [Text]),
            ("remote_port", [Integer]), ("mid_stream", [Integer]), ("opened_ns", [Integer]), ("closed_ns", [Integer, Null]),
            ("tls_library", [Text, Null]), ("tls_attribution", [Text, Null]),
        ]),
        ("chunks",
        [
            ("id", [Integer]), ("conn_id", [Integer]), ("ts_ns", [Integer]), ("pid", [Integer]), ("direction", [Integer]), ("stream_pos", [Integer]),
            ("call_bytes", [Integer]), ("data_len", [Integer]), ("flags", [Integer]), ("source", [Text]), ("tls", [Integer]), ("data", [Blob]),
            ("calls", [Blob, Null]),
        ]),
    ];

    /// <summary>Columns a recording of an older schema lacks: checked only where present.</summary>
    private static readonly HashSet<(string Table, string Column)> Optional = [("chunks", "calls")];

    /// <summary>Throws <see cref="RecordingFileException"/> naming the first missing table or column, or the first value of the wrong type.</summary>
    public static void Check(SqliteConnection db, string path)
    {
        foreach (var (table, expected) in Read)
        {
            var present = db.Query<string>($"SELECT name FROM pragma_table_info('{table}')").ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (present.Count == 0) throw new RecordingFileException($"{path} is not a complete Capture recording: the {table} table is missing");
            foreach (var (column, _) in expected)
                if (!present.Contains(column) && !Optional.Contains((table, column)))
                    throw new RecordingFileException($"{path} is not a complete Capture recording: column {table}.{column} is missing");
            var columns = expected.Where(c => present.Contains(c.Column)).ToArray();

            var wrongType = string.Join(" OR ", columns.Select(c => $"typeof({c.Column}) NOT IN ({string.Join(", ", c.Types.Select(t => $"'{t}'"))})"));
            var bad = db.QueryFirstOrDefault<long?>($"SELECT rowid FROM {table} WHERE {wrongType} LIMIT 1");
            if (bad is { } rowid)
            {
                var wrong = columns.FirstOrDefault(c => !c.Types.Contains(db.ExecuteScalar<string>($"SELECT typeof({c.Column}) FROM {table} WHERE rowid = {rowid}")));
                // A damaged b-tree can show the row to a scan and another (or none) to a lookup by rowid.
                if (wrong.Column is not { } column)
                    throw new RecordingFileException($"{path} is damaged: {table} row {rowid} reads differently by rowid than in a scan");
                throw new RecordingFileException(
                    $"{path} is damaged: {table} row {rowid} has a value of the wrong type in {column} (expected {string.Join(" or ", wrong.Types)})");
            }
        }
    }
}
