using Capture.Recorder.Capture;
using Capture.Recorder.Interop;
using Capture.Recorder.Storage;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Support;

/// <summary>A copy of a recording stored one row per call, with its chunks stored again as the recorder stores them
/// now: each call, in the order it was captured, through the recorder's own <see cref="ChunkRuns"/> and
/// <see cref="ChunkInserter"/>.</summary>
internal static class RunsRecording
{
    public static string Rejoin(string perCall, string runs)
    {
        File.Copy(perCall, runs, overwrite: true);
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = runs, Pooling = false }.ToString());
        db.Open();
        var calls = db.Query<Call>("SELECT conn_id AS ConnId, ts_ns AS TsNs, pid AS Pid, tid AS Tid, fd AS Fd, direction AS Direction, " +
            "stream_pos AS StreamPos, call_bytes AS CallBytes, flags AS Flags, source AS Source, tls AS Tls, data AS Data FROM chunks ORDER BY id").ToList();
        Assert.Equal(0L, db.ExecuteScalar<long>("SELECT count(*) FROM chunks WHERE calls IS NOT NULL"));
        using (var tx = db.BeginTransaction())
        {
            db.Execute("DELETE FROM chunks", transaction: tx);
            using var inserter = new ChunkInserter(db);
            var runsOf = new ChunkRuns(inserter.Insert);
            foreach (var c in calls) runsOf.Add(c.ToEvent(), c.Data);
            runsOf.EmitAll();
            inserter.Flush();
            tx.Commit();
        }
        db.Execute("PRAGMA journal_mode = DELETE");
        return runs;
    }

    private sealed class Call
    {
        public long ConnId { get; init; }
        public long TsNs { get; init; }
        public long Pid { get; init; }
        public long Tid { get; init; }
        public long Fd { get; init; }
        public long Direction { get; init; }
        public long StreamPos { get; init; }
        public long CallBytes { get; init; }
        public long Flags { get; init; }
        public string Source { get; init; } = "";
        public long Tls { get; init; }
        public byte[] Data { get; init; } = [];

        public DataEvent ToEvent() => new()
        {
            Header = new EventHeader
            {
                ConnId = (ulong)ConnId, TimestampNs = (ulong)TsNs, Pid = (uint)Pid, Tid = (uint)Tid, Fd = (int)Fd, Kind = EventKind.Data,
                Source = Enum.GetValues<EventSource>().Single(s => EventDecoder.SourceName(s) == Source),
            },
            StreamPos = (ulong)StreamPos, CallBytes = (ulong)CallBytes, DataLen = (uint)Data.Length, Direction = (Direction)Direction,
            Flags = (DataFlags)Flags, TlsLibrary = Tls != 0 ? TlsLibrary.OpenSsl : TlsLibrary.None,
        };
    }
}
