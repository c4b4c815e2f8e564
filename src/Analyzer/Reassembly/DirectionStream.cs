using Capture.Analyzer.Recording;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Analyzer.Reassembly;

/// <summary>Puts one direction of a connection (its socket bytes, or its TLS plaintext) back in stream order and hands it to a consumer
/// piece by piece: bytes, or the size of a hole. Overlaps (the same bytes captured twice) are
/// trimmed; holes after a truncated call are "truncated" (handed to onUncaptured, when given), other holes are "gap"
/// (lost bytes). Ranges the recorder
/// elided by policy (--deny) are skipped as if never sent: the consumer and the timeline see the stream without
/// them (their positions shift down by the bytes elided before), so the exchanges around them parse and time exactly.</summary>
internal static class DirectionStream
{
    public static ByteTimeline Replay(SqliteConnection db, ConnectionRow conn, int direction, Action<ReadOnlySpan<byte>> onBytes, Action<long> onHole,
        Action<long>? onUncaptured = null)
    {
        long connId = conn.Id;
        bool tls = conn.Tls;
        var timeline = new ByteTimeline();
        long elided = 0;
        // A hole between stream positions; the timeline counts without the bytes elided before it.
        void Hole(long start, long end, bool truncated)
        {
            timeline.AddMissing(start - elided, end - elided, truncated);
            (truncated && onUncaptured is not null ? onUncaptured : onHole)(end - start);
        }

        // Positions count from the connection's first byte seen by the kernel: bytes before the first
        // captured chunk were lost (dropped, or moved before the connection looked like HTTP).
        long expected = 0;
        bool previousTruncated = false;
        // The syscall the current chunk belongs to: one call over 16 KiB spans several rows, which share ts_ns and
        // call_bytes and follow each other. Its end tells how many bytes a truncated last call left uncaptured.
        long callEnd = -1, previousTs = -1, previousCallBytes = -1, previousEnd = -1;
        // Who moved the bytes lost at the end: the last call's process, or the connection's when no call was captured.
        long previousPid = conn.Pid;
        foreach (var chunk in Calls(db, connId, tls, direction))
        {
            bool sameCall = chunk.TimestampNs == previousTs && chunk.CallBytes == previousCallBytes && chunk.StreamPos == previousEnd;
            if (!sameCall) callEnd = chunk.StreamPos + Math.Max(chunk.CallBytes, chunk.Data.Length);
            (previousTs, previousCallBytes, previousEnd) = (chunk.TimestampNs, chunk.CallBytes, chunk.StreamPos + chunk.Data.Length);
            long pos = chunk.StreamPos;
            var data = chunk.Data.Span;
            if ((chunk.Flags & StreamChunk.FlagElided) != 0)
            {
                // Bytes the recorder kept out on purpose: not a hole, not data. A hole before them is still a hole.
                if (pos > expected)
                {
                    Hole(expected, pos, previousTruncated);
                    expected = pos;
                }
                long end = pos + chunk.CallBytes;
                if (end > expected)
                {
                    timeline.AddElided(expected - elided, end - expected);
                    elided += end - expected;
                    expected = end;
                }
                previousTruncated = false;
                continue;
            }
            if (pos > expected)
            {
                Hole(expected, pos, previousTruncated);
                expected = pos;
            }
            else if (pos < expected)
            {
                long overlap = Math.Min(expected - pos, data.Length);
                data = data[(int)overlap..];
                pos += overlap;
            }
            if (data.Length > 0)
            {
                timeline.AddChunk(pos - elided, chunk.TimestampNs, chunk.Pid);
                onBytes(data);
                expected = pos + data.Length;
            }
            else if (chunk.Data.Length == 0)
            {
                timeline.AddChunk(pos - elided, chunk.TimestampNs, chunk.Pid);
            }
            previousTruncated = (chunk.Flags & StreamChunk.FlagTruncated) != 0;
            previousPid = chunk.Pid;
            if ((chunk.Flags & StreamChunk.FlagUnreadable) != 0)
                timeline.AddMissing(chunk.StreamPos - elided, chunk.StreamPos - elided + chunk.Data.Length, truncated: true);
        }
        // The last call moved more than was captured (the per-call cap, sendfile): its uncaptured tail is a hole
        // like any other, so that a message ending inside it still ends, with its true length.
        if (previousTruncated && callEnd > expected)
        {
            Hole(expected, callEnd, truncated: true);
            expected = callEnd;
        }
        // Bytes lost at the very end leave no later chunk to show the hole: the connection's totals at its close do.
        if (conn.TotalAtClose(direction) is { } total && total.Bytes > expected)
        {
            Hole(expected, total.Bytes, truncated: false);
            timeline.AddChunk(total.Bytes - elided, total.ClosedNs, previousPid);
        }
        return timeline;
    }

    /// <summary>The stream's calls in order: its rows by stream position, each row's calls in turn.</summary>
    private static IEnumerable<StreamChunk> Calls(SqliteConnection db, long connId, bool tls, int direction)
    {
        var rows = db.Query<ChunkRow>(
            $"SELECT ts_ns AS TimestampNs, pid AS Pid, stream_pos AS StreamPos, call_bytes AS CallBytes, flags AS Flags, data AS Data, {ChunkCalls.ColumnIn(db)} AS Calls " +
            "FROM chunks WHERE conn_id = @connId AND tls = @tls AND direction = @direction ORDER BY stream_pos, id",
            new { connId, tls = tls ? 1 : 0, direction }, buffered: false);
        foreach (var row in rows)
        {
            if (row.Calls is null)
            {
                yield return new StreamChunk(row.TimestampNs, row.StreamPos, row.CallBytes, row.Flags, row.Data, row.Pid);
                continue;
            }
            foreach (var call in ChunkCalls.Of(row.TimestampNs, row.Calls, row.Data.Length))
            {
                // A run holds whole calls only: each moved exactly the bytes it holds.
                long callBytes = call.Length == row.Data.Length ? row.CallBytes : call.Length;
                yield return new StreamChunk(call.TimestampNs, row.StreamPos + call.Offset, callBytes, row.Flags, row.Data.AsMemory(call.Offset, call.Length), row.Pid);
            }
        }
    }

    private sealed class ChunkRow
    {
        public long TimestampNs { get; init; }
        public long Pid { get; init; }
        public long StreamPos { get; init; }
        public long CallBytes { get; init; }
        public long Flags { get; init; }
        public byte[] Data { get; init; } = [];
        public byte[]? Calls { get; init; }
    }
}
