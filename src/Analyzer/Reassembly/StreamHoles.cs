using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Analyzer.Reassembly;

/// <summary>Whether any stream of a connection has a hole where <see cref="DirectionStream"/> would find one: a chunk that
/// begins past every byte before it (its first chunk past position 0 included), by the chunks' positions and sizes alone,
/// without reading their bytes. A hole lost at the very end is not counted: nothing is captured after it.</summary>
internal static class StreamHoles
{
    public static bool AnyInside(SqliteConnection db, long connectionId) => db.ExecuteScalar<bool>($"""
        SELECT EXISTS (SELECT 1 FROM (
            SELECT stream_pos, max(stream_pos + CASE WHEN flags & {StreamChunk.FlagElided} THEN call_bytes ELSE data_len END) OVER (
                PARTITION BY tls, direction ORDER BY stream_pos, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached
            FROM chunks WHERE conn_id = $connection)
          WHERE stream_pos > coalesce(reached, 0))
        """, new { connection = connectionId });
}
