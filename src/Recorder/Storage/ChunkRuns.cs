using Capture.Recorder.Interop;

namespace Capture.Recorder.Storage;

/// <summary>Receives one chunks row: its columns as an event (for a run, the first call's, with the run's byte count),
/// its data, and its <c>calls</c> list (empty: the row is one call).</summary>
internal delegate void ChunkRowSink(in DataEvent row, ReadOnlySpan<byte> data, ReadOnlySpan<byte> calls);

/// <summary>
/// Joins the whole calls that follow each other on one stream (connection, TLS or socket bytes, direction) into one
/// chunks row, whose <c>calls</c> column lists each call's time and size (<see cref="ChunkCalls"/>). A row per call
/// cost the recorder nearly half its CPU at saturation (an SQLite insert per syscall); a keep-alive connection under
/// load now takes one row per 16 KiB it moves each way. A call joins the open run of its stream when nothing about it
/// needs a row of its own: it moved exactly the bytes captured (not truncated, unreadable, elided, nor one piece of
/// a call over 16 KiB), it starts where the run ends, and the same thread, fd and call kind made it. Rows of one
/// stream keep their order; <see cref="EmitAll"/> ends every run, and the writer calls it before each commit, so a
/// killed recorder loses no more than before.
/// </summary>
internal sealed class ChunkRuns(ChunkRowSink emit)
{
    public const int MaxRunBytes = 16 * 1024;
    public const int MaxRunCalls = 1024;
    /// <summary>Bytes, and calls, all open runs hold together; when either is full, every run is ended early. Both live
    /// in blocks of this size allocated once: memory stays flat whatever the number of connections.</summary>
    public const int MaxPendingBytes = 1 << 20;
    public const int MaxPendingCalls = 8 * 1024;

    /// <summary>A stream of a connection. Its equality is written out: the generated one compared and hashed each field
    /// through EqualityComparer, and this key is looked up for every call the recorder stores.</summary>
    private readonly struct StreamKey(ulong connId, Direction direction, bool tls) : IEquatable<StreamKey>
    {
        /// <summary>The connection id with the stream in its two low bits: distinct for every stream of every connection
        /// below 2^62.</summary>
        private readonly ulong _packed = connId << 2 | (ulong)(direction == Direction.Egress ? 0 : 1) << 1 | (tls ? 1UL : 0);

        public bool Equals(StreamKey other) => _packed == other._packed;
        public override bool Equals(object? obj) => obj is StreamKey other && Equals(other);
        public override int GetHashCode() => _packed.GetHashCode();
    }

    /// <summary>A call of an open run: its bytes in <see cref="_pending"/>, and the run's next call (-1: none).</summary>
    private record struct PendingCall(ulong TimestampNs, int Offset, int Length, int Next);

    private sealed class Run
    {
        public DataEvent First;
        public int Length, Count, Head, Tail;
        public ulong End => First.StreamPos + (ulong)Length;
    }

    private readonly Dictionary<StreamKey, Run> _open = [];
    private readonly Stack<Run> _spare = [];
    private readonly byte[] _pending = new byte[MaxPendingBytes];
    private int _pendingUsed;
    private readonly PendingCall[] _calls = new PendingCall[MaxPendingCalls];
    private int _callsUsed;
    private readonly byte[] _rowData = new byte[MaxRunBytes];
    private readonly byte[] _rowCalls = new byte[MaxRunCalls * ChunkCalls.EntryBytes];

    public void Add(in DataEvent ev, ReadOnlySpan<byte> data)
    {
        var key = new StreamKey(ev.Header.ConnId, ev.Direction, ev.TlsLibrary != TlsLibrary.None);
        bool whole = IsWholeCall(ev, data);
        if (_open.TryGetValue(key, out var run))
        {
            if (whole && Continues(run, ev, data.Length) && HasRoom(data.Length))
            {
                Append(run, ev.Header.TimestampNs, data);
                return;
            }
            End(key, run);
        }
        if (!whole)
        {
            emit(ev, data, []);
            return;
        }
        if (!HasRoom(data.Length)) EmitAll();
        run = _spare.Count > 0 ? _spare.Pop() : new Run();
        run.First = ev;
        Append(run, ev.Header.TimestampNs, data);
        _open[key] = run;
    }

    /// <summary>Ends every open run: each becomes its row.</summary>
    public void EmitAll()
    {
        foreach (var run in _open.Values) Emit(run);
        _open.Clear();
        _pendingUsed = 0;
        _callsUsed = 0;
    }

    private static bool IsWholeCall(in DataEvent ev, ReadOnlySpan<byte> data) =>
        ev.Flags == DataFlags.None && ev.CallBytes == ev.DataLen && (uint)data.Length == ev.DataLen;

    private static bool Continues(Run run, in DataEvent ev, int length)
    {
        ref readonly var first = ref run.First.Header;
        ref readonly var next = ref ev.Header;
        return ev.StreamPos == run.End && next.Pid == first.Pid && next.Tid == first.Tid && next.Fd == first.Fd
            && next.Source == first.Source && ev.TlsLibrary == run.First.TlsLibrary
            && run.Length + length <= MaxRunBytes && run.Count < MaxRunCalls;
    }

    private bool HasRoom(int length) => _pendingUsed + length <= _pending.Length && _callsUsed < _calls.Length;

    private void Append(Run run, ulong timestampNs, ReadOnlySpan<byte> data)
    {
        data.CopyTo(_pending.AsSpan(_pendingUsed));
        int call = _callsUsed++;
        _calls[call] = new PendingCall(timestampNs, _pendingUsed, data.Length, Next: -1);
        if (run.Count == 0) run.Head = call;
        else _calls[run.Tail].Next = call;
        run.Tail = call;
        run.Count++;
        _pendingUsed += data.Length;
        run.Length += data.Length;
    }

    /// <summary>Ends one run; its bytes' room is taken back with everyone's at the next <see cref="EmitAll"/>.</summary>
    private void End(StreamKey key, Run run)
    {
        Emit(run);
        _open.Remove(key);
    }

    private void Emit(Run run)
    {
        var row = run.First;
        row.CallBytes = (ulong)run.Length;
        row.DataLen = (uint)run.Length;
        int at = 0, callsLength = 0;
        for (int i = run.Head, n = 0; n < run.Count; i = _calls[i].Next, n++)
        {
            ref readonly var call = ref _calls[i];
            _pending.AsSpan(call.Offset, call.Length).CopyTo(_rowData.AsSpan(at));
            at += call.Length;
            // One call needs no list: the row's own columns say all of it, as in a recording made before runs.
            if (run.Count == 1) break;
            ChunkCalls.Write(_rowCalls.AsSpan(callsLength), (long)call.TimestampNs, call.Length);
            callsLength += ChunkCalls.EntryBytes;
        }
        emit(row, _rowData.AsSpan(0, run.Length), _rowCalls.AsSpan(0, callsLength));
        run.Length = run.Count = 0;
        _spare.Push(run);
    }
}
