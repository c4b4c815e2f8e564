using System.Net;
using Capture.Analyzer.Exchanges;
using Capture.Analyzer.Query;
using Capture.Analyzer.Recording;
using Capture.Pcapng;
using Capture.Pcapng.Synthetic;
using Dapper;

namespace Capture.Analyzer.Export;

/// <summary>`analyze RUN.db --export-pcapng OUT`: every recorded call as synthetic TCP packets
/// in time order (each direction of a connection in stream order), for Wireshark. Chunks stream out of SQLite one row at a time (SQLite sorts on
/// disk when it must), so memory holds only the connection list, one flow state per connection, the
/// calls of the runs that overlap in time, and the bytes to leave out of HTTP/2 streams after holes
/// (<see cref="OrphanedTailTrimmer"/>; found by analysing one connection at a time before the chunks are read).</summary>
internal static class PcapngExport
{
    /// <param name="Pid">Only the bytes this process moved.</param>
    /// <param name="ConnectionId">Only this connection, whether or not it holds an HTTP exchange.</param>
    /// <param name="Where">The `--where` of the other questions: a connection is exported when one of
    /// its exchanges matches, and with since/until only the span of those exchanges (see <see cref="Windows"/>).</param>
    public sealed record Filter(long? Pid, long? ConnectionId, ExchangeFilter Where);

    public static long Write(RecordingFile recording, string outputPath, Filter filter)
    {
        var connections = recording.Connection.Query<ConnectionRow>(
            "SELECT * FROM connections WHERE @conn IS NULL OR id = @conn", new { conn = filter.ConnectionId }).ToDictionary(c => c.Id);
        Dictionary<long, (long FromNs, long ToNs)>? windows = null;
        if (!filter.Where.IsEmpty)
        {
            var matching = ExchangeSource.All(recording).Where(filter.Where.Matches).ToList();
            var matched = matching.Select(e => e.ConnectionId).ToHashSet();
            foreach (var id in connections.Keys.Where(id => !matched.Contains(id)).ToList()) connections.Remove(id);
            if (filter.Where.HasTimeWindow) windows = Windows(matching);
        }
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, BufferSize = 1 << 16,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite, // it holds other processes' traffic, like the db
        };
        using var writer = new PcapngWriter(new FileStream(outputPath, options), $"Capture analyze --export-pcapng ({recording.Path})");
        var packets = new PlaintextPacketWriter(writer);
        var recorded = new Dictionary<long, RecordedConnection>();
        var analyzer = new ConnectionAnalyzer(recording.Connection, recording.Run);
        var tails = new OrphanedTailTrimmer();
        foreach (var c in connections.Values)
        {
            recorded[c.Id] = ToRecorded(c, analyzer);
            if (c.Tls) packets.MarkTls(c.Id);
            tails.Add(c.Id, c.Tls, analyzer.OrphanedHttp2FrameTails(c));
        }

        // Rows come in time order, except that each direction of a connection keeps its stream order: a call that
        // began before another but whose bytes the kernel put after its (two threads writing one socket; egress is
        // stamped when the call began) comes right after the bytes before it. Wireshark reads a TCP stream in file
        // order, and would otherwise see those bytes out of order and not dissect the message they belong to.
        // SendNs is the latest time of a row and of every row before it in its stream; SendId the same for ids.
        var chunks = recording.Connection.Query<ChunkRow>($"""
            SELECT c.conn_id AS ConnId, c.ts_ns AS TsNs, c.pid AS Pid, c.tid AS Tid, c.fd AS Fd, c.direction AS Direction,
                   c.stream_pos AS StreamPos, c.tls AS Tls, c.data AS Data, {ChunkCalls.ColumnIn(recording.Connection)} AS Calls, p.comm AS Comm,
                   max(c.ts_ns) OVER stream AS SendNs, max(c.id) OVER stream AS SendId
            FROM chunks c LEFT JOIN processes p ON p.pid = c.pid
            WHERE (@pid IS NULL OR c.pid = @pid) AND (@conn IS NULL OR c.conn_id = @conn)
            WINDOW stream AS (PARTITION BY c.conn_id, c.tls, c.direction ORDER BY c.stream_pos, c.id ROWS UNBOUNDED PRECEDING)
            ORDER BY SendNs, SendId, c.stream_pos
            """, new { pid = filter.Pid, conn = filter.ConnectionId }, buffered: false);
        // A row holding a run of calls comes in at its first call's time; its later calls wait here until no row
        // still to come can hold an earlier one. A call waits with the latest of its own time, its row's SendNs and
        // the time the call before it in its stream waited with, so no call waits with a time before its row's
        // SendNs and a stream's calls leave in stream order. Each packet keeps its own call's time.
        var waiting = new PriorityQueue<(RecordedConnection Connection, PlaintextChunk Chunk), (long SendNs, long Order)>();
        var streamSendNs = new Dictionary<(long Connection, long Tls, long Direction), long>();
        long order = 0;
        foreach (var row in chunks)
        {
            while (waiting.TryPeek(out var next, out var at) && at.SendNs <= row.SendNs)
            {
                waiting.Dequeue();
                packets.Write(next.Connection, next.Chunk);
            }
            if (!recorded.TryGetValue(row.ConnId, out var connection) || row.Data is null) continue;
            var comm = row.Comm ?? connections[row.ConnId].Comm;
            var stream = (row.ConnId, row.Tls, row.Direction);
            long sendNs = Math.Max(row.SendNs, streamSendNs.GetValueOrDefault(stream, long.MinValue));
            foreach (var call in ChunkCalls.Of(row.TsNs, row.Calls, row.Data.Length))
            {
                if (windows is not null && !(windows.TryGetValue(row.ConnId, out var window) && call.TimestampNs >= window.FromNs && call.TimestampNs <= window.ToNs)) continue;
                var chunk = new PlaintextChunk(row.ConnId, call.TimestampNs + recording.Run.MonotonicToWallOffsetNs, (uint)row.Pid, (uint)row.Tid,
                    (int)row.Fd, comm, row.Direction == 0, row.StreamPos + call.Offset, row.Data.AsMemory(call.Offset, call.Length), row.Tls != 0);
                sendNs = Math.Max(sendNs, call.TimestampNs);
                foreach (var piece in tails.Trim(chunk)) waiting.Enqueue((connection, piece), (sendNs, order++));
            }
            streamSendNs[stream] = sendNs;
        }
        while (waiting.TryDequeue(out var last, out _)) packets.Write(last.Connection, last.Chunk);
        packets.Finish();
        return packets.Packets;
    }

    /// <summary>What since/until keep of each connection: from the first byte of its first matching exchange to the
    /// last byte of its last, so that Wireshark sees those exchanges whole and no part of the others (a response
    /// that came inside the window to a request sent before it is not one the analyzer lists). An HTTP/2
    /// connection keeps everything before as well: its preface, SETTINGS and earlier header blocks are the
    /// HPACK state its later header blocks are decoded with, and Wireshark finds HTTP/2 only from the preface.</summary>
    private static Dictionary<long, (long FromNs, long ToNs)> Windows(IEnumerable<Exchange> matching) =>
        matching.GroupBy(e => e.ConnectionId).ToDictionary(g => g.Key, g => (
            g.Any(e => e.Protocol == "h2") ? long.MinValue : g.Min(e => e.StartNs),
            g.Max(e => e.StartNs + (long)Math.Ceiling(e.DurationMs * 1e6))));

    /// <summary>The connection's ends. A connection open before the recording began has no role: its side is the
    /// one the analyzer gives its exchanges (who sent the requests), as in every other answer; without exchanges
    /// the flow falls back on the ports (<see cref="RecordedConnection.LocalIsClient"/>).</summary>
    private static RecordedConnection ToRecorded(ConnectionRow c, ConnectionAnalyzer analyzer) => new(c.Id,
        IPAddress.TryParse(c.Local_Addr, out var local) ? local : IPAddress.Any, (int)c.Local_Port,
        IPAddress.TryParse(c.Remote_Addr, out var remote) ? remote : IPAddress.Any, (int)c.Remote_Port,
        (c.Role is "client" or "server" ? c.Role : analyzer.Analyze(c).Select(e => e.Side).FirstOrDefault()) switch
        {
            "client" => ConnectionSide.Client,
            "server" => ConnectionSide.Server,
            _ => ConnectionSide.Unknown,
        }, JoinedMidStream: c.Mid_Stream != 0);

    private sealed class ChunkRow
    {
        public long ConnId { get; init; }
        public long TsNs { get; init; }
        public long Pid { get; init; }
        public long Tid { get; init; }
        public long Fd { get; init; }
        public long Direction { get; init; }
        public long StreamPos { get; init; }
        public long Tls { get; init; }
        public byte[]? Data { get; init; }
        public byte[]? Calls { get; init; }
        public string? Comm { get; init; }
        public long SendNs { get; init; }
        public long SendId { get; init; }
    }
}
