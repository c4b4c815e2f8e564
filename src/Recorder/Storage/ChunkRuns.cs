using System.Buffers;
using Capture.Recorder.Interop;

namespace Capture.Recorder.Storage;

/// <summary>Receives one chunks row: its columns as an event (for a run, the first call's, with the run's byte count),
/// its data, and its <c>calls</c> list (empty: the row is one call).</summary>
internal delegate void ChunkRowSink(in DataEvent row, ReadOnlySpan<byte> data, ReadOnlySpan<byte> calls);

/// <summary>
/// Joins the whole calls that follow each other on one stream (connection, TLS or socket bytes, direction) into one
/// chunks row, whose <c>calls</c> column lists each call's time and size (<see cref="ChunkCalls"/>). A row per call
/// cost the recorder most of its CPU at saturation (an SQLite insert per syscall); a keep-alive connection under
/// load now takes one row per direction per commit. A call joins the open run of its stream when nothing about it
/// needs a row of its own: it moved exactly the bytes captured (not truncated, unreadable, elided, nor one piece of
/// a call over 16 KiB), it starts where the run ends, and the same thread, fd and call kind made it. Rows of one
/// stream keep their order; <see cref="EmitAll"/> ends every run, and the writer calls it before each commit, so a
/// killed recorder loses no more than before.
/// </summary>
internal sealed class ChunkRuns(ChunkRowSink emit)
{
    public const int MaxRunBytes = 64 * 1024;
    public const int MaxRunCalls = 1024;
    /// <summary>Bytes all open runs may hold before every one is ended early: bounds memory with many connections.</summary>
    public const int MaxPendingBytes = 8 << 20;

    private readonly record struct StreamKey(ulong ConnId, Direction Direction, bool Tls);

    private sealed class Run
    {
        public DataEvent First;
        public byte[] Data = [];
        public int Length;
        public byte[] Calls = [];
        public int CallCount;
        public ulong End => First.StreamPos + (ulong)Length;
    }

    private readonly Dictionary<StreamKey, Run> _open = [];
    private long _pendingBytes;

    public void Add(in DataEvent ev, ReadOnlySpan<byte> data)
    {
        var key = new StreamKey(ev.Header.ConnId, ev.Direction, ev.TlsLibrary != TlsLibrary.None);
        bool whole = IsWholeCall(ev, data);
        if (_open.TryGetValue(key, out var run))
        {
            if (whole && Continues(run, ev, data.Length))
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
        if (_pendingBytes + data.Length > MaxPendingBytes) EmitAll();
        run = new Run { First = ev };
        Append(run, ev.Header.TimestampNs, data);
        _open[key] = run;
    }

    /// <summary>Ends every open run: each becomes its row.</summary>
    public void EmitAll()
    {
        foreach (var (key, run) in _open) Emit(run);
        _open.Clear();
        _pendingBytes = 0;
    }

    private static bool IsWholeCall(in DataEvent ev, ReadOnlySpan<byte> data) =>
        ev.Flags == DataFlags.None && ev.CallBytes == ev.DataLen && (uint)data.Length == ev.DataLen;

    private static bool Continues(Run run, in DataEvent ev, int length)
    {
        ref readonly var first = ref run.First.Header;
        ref readonly var next = ref ev.Header;
        return ev.StreamPos == run.End && next.Pid == first.Pid && next.Tid == first.Tid && next.Fd == first.Fd
            && next.Source == first.Source && ev.TlsLibrary == run.First.TlsLibrary
            && run.Length + length <= MaxRunBytes && run.CallCount < MaxRunCalls;
    }

    private void Append(Run run, ulong timestampNs, ReadOnlySpan<byte> data)
    {
        Grow(ref run.Data, run.Length + data.Length);
        data.CopyTo(run.Data.AsSpan(run.Length));
        run.Length += data.Length;
        Grow(ref run.Calls, (run.CallCount + 1) * ChunkCalls.EntryBytes);
        ChunkCalls.Write(run.Calls.AsSpan(run.CallCount * ChunkCalls.EntryBytes), (long)timestampNs, data.Length);
        run.CallCount++;
        _pendingBytes += data.Length;
    }

    private static void Grow(ref byte[] buffer, int needed)
    {
        if (buffer.Length >= needed) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(buffer.Length * 2, 512)));
        buffer.CopyTo(bigger, 0);
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        buffer = bigger;
    }

    private void End(StreamKey key, Run run)
    {
        Emit(run);
        _open.Remove(key);
        _pendingBytes -= run.Length;
    }

    private void Emit(Run run)
    {
        var row = run.First;
        row.CallBytes = (ulong)run.Length;
        row.DataLen = (uint)run.Length;
        // One call needs no list: the row's own columns say all of it, as in a recording made before runs.
        var calls = run.CallCount > 1 ? run.Calls.AsSpan(0, run.CallCount * ChunkCalls.EntryBytes) : [];
        emit(row, run.Data.AsSpan(0, run.Length), calls);
        ArrayPool<byte>.Shared.Return(run.Data);
        ArrayPool<byte>.Shared.Return(run.Calls);
    }
}
