using System.Runtime.InteropServices;
using Capture.Recorder.Capture;
using Capture.Recorder.Interop;
using Capture.Recorder.Redaction;
using Microsoft.Data.Sqlite;

namespace Capture.Recorder.Storage;

/// <summary>Drains the sample queue into SQLite: large transactions, prepared commands reused
/// for every row. A transaction is committed at least every <see cref="CommitInterval"/>, so a
/// killed recorder loses at most that much.</summary>
internal sealed class EventWriter
{
    private static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(200);
    private const int MaxRowsPerTransaction = 20_000;

    private readonly SqliteConnection _db;
    private readonly ProcessCatalog _processes;
    private readonly HashSet<ulong> _knownConnections = [];
    /// <summary>The connection of the chunk before, known by then: a server's request and answer come one after the other.</summary>
    private ulong _lastConnId;
    private SqliteTransaction? _tx;
    private readonly HashSet<ulong> _tlsConnections = [];
    private readonly HeldTlsWrites _heldTlsWrites = new();
    private SqliteCommand _markTls = null!, _insertProbe = null!, _insertDeniedStream = null!;
    private ChunkInserter? _chunks;
    private ChunkRuns? _runs;
    private SqliteCommand _openConnection = null!, _closeConnection = null!, _insertDrops = null!, _nameConnections = null!;
    /// <summary>Pids of connections rows stored without a comm (made by a TCP_CLOSE), whose process no event had named.</summary>
    private readonly HashSet<uint> _namelessPids = [];

    public RecordingTotals Totals { get; } = new();

    private readonly Action<DataEvent, byte[]>? _onChunk;
    private readonly Action<ulong>? _onJoinedMidStream;
    private readonly StreamRedactor? _redactor;
    private readonly ChunkStore _store;

    /// <param name="onChunk">Also given every chunk stored (record --pcapng); it must not wait.</param>
    /// <param name="redactor">Replaces secrets in the chunks before they are stored (null: --no-redact).</param>
    /// <param name="onJoinedMidStream">Also told, before its first chunk, of a connection the kernel first saw open
    /// (record --pcapng: its synthetic flow has no handshake).</param>
    public EventWriter(SqliteConnection db, Action<DataEvent, byte[]>? onChunk = null, StreamRedactor? redactor = null,
        Action<ulong>? onJoinedMidStream = null)
    {
        _db = db;
        _onChunk = onChunk;
        _onJoinedMidStream = onJoinedMidStream;
        _redactor = redactor;
        _store = StoreChunk;
        if (redactor is not null) redactor.StreamDenied = WriteDeniedStream;
        _processes = new ProcessCatalog(db) { Filed = NameConnections };
    }

    /// <summary>Runs on a thread of its own until the queue is complete and empty.</summary>
    public void Run(SampleQueue queue)
    {
        try
        {
            while (true)
            {
                if (!queue.TryTake(IdleWait, out var first, out bool finished))
                {
                    if (finished) break;
                    continue;
                }
                using var tx = _db.BeginTransaction();
                Prepare(tx);
                long deadline = Environment.TickCount64 + (long)CommitInterval.TotalMilliseconds;
                int rows = Write(first, queue);
                while (rows < MaxRowsPerTransaction)
                {
                    long wait = deadline - Environment.TickCount64;
                    if (wait <= 0) break;
                    if (!queue.TryTake(TimeSpan.FromMilliseconds(wait), out var item, out finished))
                    {
                        if (finished) break;
                        continue;
                    }
                    rows += Write(item, queue);
                }
                EndRows();
                tx.Commit();
                Totals.Committed = Totals.Events;
            }
            _heldTlsWrites.DropAll();
            Totals.HeldTlsWritesDropped = _heldTlsWrites.Dropped;
            if (_redactor is not null)
            {
                // Chunks still held back for an unfinished secret: stored now, that secret as filler.
                using var tx = _db.BeginTransaction();
                Prepare(tx);
                _redactor.FlushAll(_store);
                EndRows();
                tx.Commit();
            }
        }
        finally
        {
            _chunks?.Dispose(); // finalized before the connection closes
            _chunks = null;
        }
    }

    /// <summary>Stores every row still being gathered; before each commit, so that a commit holds every chunk taken before it.</summary>
    private void EndRows()
    {
        _runs!.EmitAll();
        _chunks!.Flush();
    }

    /// <summary>How long an idle writer sleeps before looking again (it is woken as soon as a batch arrives).</summary>
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(1);

    private void Prepare(SqliteTransaction tx)
    {
        _tx = tx;
        _chunks ??= new ChunkInserter(_db);
        _runs ??= new ChunkRuns(_chunks.Insert);
        _openConnection ??= Command("""
            INSERT INTO connections(id, pid, tid, comm, fd, role, opened_by, family, local_addr, local_port, remote_addr, remote_port, mid_stream, opened_ns, tls_attribution)
            VALUES ($id, $pid, $tid, $comm, $fd, $role, $by, $family, $laddr, $lport, $raddr, $rport, $mid, $ts, $attribution)
            ON CONFLICT(id) DO UPDATE SET pid = excluded.pid, tid = excluded.tid, comm = excluded.comm, fd = excluded.fd,
                role = excluded.role, opened_by = excluded.opened_by, mid_stream = excluded.mid_stream, opened_ns = excluded.opened_ns,
                tls_attribution = excluded.tls_attribution
                WHERE $authoritative = 1
            """, "$id", "$pid", "$tid", "$comm", "$fd", "$role", "$by", "$family", "$laddr", "$lport", "$raddr", "$rport", "$mid", "$ts", "$attribution", "$authoritative");
        // A row no open event made (first_seen, close) takes from the close what the open would have said: a data event
        // knows neither. Kept once known: a later close of the same connection knows no less. tls_attribution is filled
        // from any close while the row has none: an open sent before the first TLS call (a proxy's plaintext CONNECT
        // first) could not name it, and the close carries what the kernel tied the TLS calls by since.
        _closeConnection ??= Command("""
            UPDATE connections SET closed_ns = MIN(COALESCE(closed_ns, $ts), $ts),
                bytes_sent = MAX(COALESCE(bytes_sent, 0), $sent), bytes_received = MAX(COALESCE(bytes_received, 0), $received),
                mid_stream = IIF(opened_by IN ('first_seen', 'close'), MAX(mid_stream, $mid), mid_stream),
                tls_attribution = COALESCE(tls_attribution, $attribution),
                -- A row its TCP_CLOSE made names the opener's pid, or none, and no comm or fd: the program's close, when
                -- it follows, names the process that closed it.
                pid = IIF(opened_by = 'close' AND pid = 0, $pid, pid), tid = IIF(opened_by = 'close' AND pid = 0, $tid, tid),
                comm = IIF(opened_by = 'close' AND comm = '' AND pid IN (0, $pid), $comm, comm),
                fd = IIF(opened_by = 'close' AND fd < 0 AND pid IN (0, $pid), $fd, fd),
                -- A close the ring had no room for comes with the sweep, after a later one that it had: a row its
                -- closes made opens at the first of them, never after it closed.
                opened_ns = IIF(opened_by = 'close', MIN(opened_ns, $ts), opened_ns)
            WHERE id = $id
            """, "$ts", "$sent", "$received", "$mid", "$attribution", "$pid", "$tid", "$comm", "$fd", "$id");
        _nameConnections ??= Command("UPDATE connections SET comm = $comm WHERE pid = $pid AND comm = ''", "$comm", "$pid");
        _markTls ??= Command("UPDATE connections SET tls_library = $library WHERE id = $id", "$library", "$id");
        _insertDrops ??= Command("INSERT INTO drops(window_start_ns, window_end_ns, kernel_drops) VALUES ($start, $end, $drops)",
            "$start", "$end", "$drops");
        _insertProbe ??= Command("INSERT OR REPLACE INTO probes(name, kind, target, status, detail) VALUES ($name, $kind, $target, $status, $detail)",
            "$name", "$kind", "$target", "$status", "$detail");
        _insertDeniedStream ??= Command("INSERT OR IGNORE INTO denied_streams(conn_id, tls, stream_id) VALUES ($id, $tls, $stream)",
            "$id", "$tls", "$stream");
        foreach (var c in new[] { _openConnection, _closeConnection, _nameConnections, _insertDrops, _markTls, _insertProbe, _insertDeniedStream })
            c.Transaction = tx;
        _processes.UseTransaction(tx);
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _db.CreateCommand();
        command.Transaction = _tx;
        command.CommandText = sql;
        foreach (var p in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = p });
        command.Prepare();
        return command;
    }

    /// <summary>Writes one item; returns the rows it added.</summary>
    private int Write(WriterItem item, SampleQueue queue)
    {
        if (item.Drops is { } window)
        {
            Set(_insertDrops, window.StartNs, window.EndNs, (long)window.KernelDrops);
            _insertDrops.ExecuteNonQuery();
            return 1;
        }
        if (item.Probe is { } probe)
        {
            Set(_insertProbe, probe.Name, probe.Kind, probe.Target, probe.Status, (object?)probe.Detail ?? DBNull.Value);
            _insertProbe.ExecuteNonQuery();
            return 1;
        }
        var batch = item.Samples!;
        try
        {
            for (int i = 0; i < batch.Count; i++) WriteSample(batch[i]);
            return batch.Count;
        }
        finally
        {
            queue.Return(batch);
        }
    }

    /// <param name="writable">The batch's copy of the event, which redaction rewrites in place.</param>
    private void WriteSample(Memory<byte> writable)
    {
        var sample = writable.Span;
        switch (EventDecoder.KindOf(sample))
        {
            case EventKind.Data when sample.Length >= EventDecoder.DataHeaderSize:
                WriteData(writable);
                break;
            case EventKind.ConnOpen when sample.Length >= EventDecoder.ConnEventSize:
                var open = MemoryMarshal.Read<ConnEvent>(sample);
                WriteOpen(open, EventDecoder.SourceName(open.Header.Source), authoritative: true);
                break;
            case EventKind.ConnClose when sample.Length >= EventDecoder.ConnEventSize:
                WriteClose(MemoryMarshal.Read<ConnEvent>(sample));
                break;
            case EventKind.TlsBind when sample.Length >= EventDecoder.TlsBindEventSize:
                foreach (var (ev, bytes) in _heldTlsWrites.Bind(MemoryMarshal.Read<TlsBindEvent>(sample))) WriteChunk(ev, bytes);
                break;
            default:
                Totals.Malformed++;
                break;
        }
        Totals.Events++;
    }

    private void WriteData(Memory<byte> writable)
    {
        var sample = writable.Span;
        ref readonly var ev = ref MemoryMarshal.AsRef<DataEvent>(sample);
        int length = (int)Math.Min(ev.DataLen, (uint)(sample.Length - EventDecoder.DataHeaderSize));
        var data = writable.Slice(EventDecoder.DataHeaderSize, length);
        if ((ev.Flags & DataFlags.Shed) != 0) Totals.Shed.Count(ev);
        if (ev.Header.ConnId == 0) _heldTlsWrites.Hold(ev, data.Span); // its connection is named later (TlsBind)
        else WriteChunk(ev, data);
    }

    private void WriteChunk(in DataEvent ev, Memory<byte> data)
    {
        ref readonly var header = ref ev.Header;
        if (header.ConnId != _lastConnId && !_knownConnections.Contains(header.ConnId))
        {
            // The open event was dropped or is still behind us: the data event carries enough to stand in. It does not say
            // whether the kernel joined the connection mid-way (positions then count from there, and 0 is no start):
            // redacted as if it did, so a first line that is the rest of a secret field is not read as a line of its own.
            WriteOpen(new ConnEvent { Header = header }, openedBy: "first_seen", authoritative: false);
            _redactor?.JoinedMidStream(header.ConnId);
        }
        _lastConnId = header.ConnId;
        if (_redactor is null) StoreChunk(ev, data.Span);
        else _redactor.Accept(ev, data, _store);
        _processes.Observe(header, (long)header.TimestampNs);
        Totals.Chunks++;
        Totals.CapturedBytes += data.Length;
        if (ev.Direction == Direction.Egress) Totals.MessageStarts += HttpStartCounter.Count(data.Span);
    }

    private void StoreChunk(in DataEvent ev, ReadOnlySpan<byte> bytes)
    {
        ref readonly var header = ref ev.Header;
        MarkTls(header.ConnId, ev.TlsLibrary);
        _runs!.Add(ev, bytes);
        _onChunk?.Invoke(ev, bytes.ToArray());
    }

    private void MarkTls(ulong connId, TlsLibrary library)
    {
        if (library == TlsLibrary.None || !_tlsConnections.Add(connId)) return;
        Set(_markTls, EventDecoder.TlsLibraryName(library), (long)connId);
        _markTls.ExecuteNonQuery();
    }

    /// <param name="openedBy">connections.opened_by: the open event's source, or what stood in for a lost one.</param>
    /// <param name="authoritative">An open event, whose row replaces a stand-in's; a stand-in never replaces a row.</param>
    private void WriteOpen(ConnEvent ev, string openedBy, bool authoritative)
    {
        InsertConnection(ev, openedBy, authoritative);
        if (ev.MidStream != 0)
        {
            _redactor?.JoinedMidStream(ev.Header.ConnId);
            _onJoinedMidStream?.Invoke(ev.Header.ConnId);
        }
    }

    private void InsertConnection(ConnEvent ev, string openedBy, bool authoritative)
    {
        var h = ev.Header;
        var (local, remote, family) = EventDecoder.Addresses(h.Tuple);
        Set(_openConnection, (long)h.ConnId, h.Pid, h.Tid, CommOf(h), h.Fd, EventDecoder.RoleName(h.Role),
            openedBy, family, local, h.Tuple.LocalPort, remote, h.Tuple.RemotePort,
            ev.MidStream, (long)h.TimestampNs, (object?)EventDecoder.AttributionName(ev.TlsAttribution) ?? DBNull.Value, authoritative ? 1 : 0);
        _openConnection.ExecuteNonQuery();
        if (_knownConnections.Add(h.ConnId)) Totals.Connections++;
        ObserveProcess(h);
    }

    /// <summary>TCP_CLOSE fires in softirq context: its header names the opener's pid but no comm to file it under.</summary>
    private void ObserveProcess(in EventHeader h)
    {
        if (h.Source != EventSource.TcpClose) _processes.Observe(h, (long)h.TimestampNs);
    }

    /// <summary>The header's comm; for a TCP_CLOSE's, which has none, the one its pid was filed under. When no event has
    /// named that pid yet, the row is named when one does (<see cref="NameConnections"/>).</summary>
    private string CommOf(in EventHeader h)
    {
        string comm = EventDecoder.Comm(h);
        if (comm.Length > 0 || h.Pid == 0) return comm;
        comm = _processes.CommOf(h.Pid) ?? "";
        if (comm.Length == 0) _namelessPids.Add(h.Pid);
        return comm;
    }

    private void NameConnections(uint pid, string comm)
    {
        if (!_namelessPids.Remove(pid)) return;
        Set(_nameConnections, comm, (long)pid);
        _nameConnections.ExecuteNonQuery();
    }

    private void WriteDeniedStream(ulong connId, bool tls, uint streamId)
    {
        Set(_insertDeniedStream, (long)connId, tls ? 1 : 0, (long)streamId);
        _insertDeniedStream.ExecuteNonQuery();
    }

    private void WriteClose(ConnEvent ev)
    {
        if (!_knownConnections.Contains(ev.Header.ConnId))
        {
            // A full ring dropped its open event and every chunk, and the close waited in the kernel's unsent_closes
            // for room. It still names the process, the 5-tuple and the bytes each way: kept, the connection and the
            // bytes the recording lacks of it are not lost in silence. No chunk of it can follow, so neither the
            // redactor nor the live pcapng is told of it.
            InsertConnection(ev, openedBy: "close", authoritative: false);
        }
        else ObserveProcess(ev.Header);
        // The library the kernel saw moving this connection's plaintext marks its byte counts as ciphertext, also when
        // every plaintext chunk was dropped: read as plaintext, they would tell of plaintext bytes that never existed.
        MarkTls(ev.Header.ConnId, ev.TlsLibrary);
        // Reads after a TCP_CLOSE go on with the bytes before it, maybe inside a secret's value: the redactor keeps
        // the connection's state for them until the program's own close (or the recording's end).
        if (ev.UnreadAtTcpClose == 0) _redactor?.Close(ev.Header.ConnId, _store);
        var h = ev.Header;
        Set(_closeConnection, (long)h.TimestampNs, (long)ev.BytesSent, (long)ev.BytesReceived, ev.MidStream,
            (object?)EventDecoder.AttributionName(ev.TlsAttribution) ?? DBNull.Value, h.Pid, h.Tid, EventDecoder.Comm(h), h.Fd, (long)h.ConnId);
        _closeConnection.ExecuteNonQuery();
    }

    private static void Set(SqliteCommand command, params object[] values)
    {
        for (int i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
    }
}

/// <summary>Counters the summary and the live status line show.</summary>
internal sealed class RecordingTotals
{
    public long Events;
    public long Committed;
    public long Chunks;
    public long Connections;
    public long CapturedBytes;
    public long MessageStarts;
    public long Malformed;
    /// <summary>TLS writes whose connection no socket write named (<see cref="HeldTlsWrites"/>).</summary>
    public long HeldTlsWritesDropped;
    public ShedCalls Shed { get; } = new();
}

/// <summary>Calls the kernel cut to their first KiB while the ring buffer was over three quarters full (bpf/capture.bpf.c,
/// shed_limit), where it would otherwise have dropped whole events: how many, the bytes not captured, and when.</summary>
internal sealed class ShedCalls
{
    public long Calls;
    public long UncapturedBytes;
    /// <summary>CLOCK_MONOTONIC of the first and last cut call; 0 before any.</summary>
    public ulong FirstNs, LastNs;

    public void Count(in DataEvent ev)
    {
        // A call larger than one event is cut to its first KiB, so it arrives as one event.
        Calls++;
        UncapturedBytes += (long)(ev.CallBytes - ev.DataLen);
        if (FirstNs == 0) FirstNs = ev.Header.TimestampNs;
        LastNs = Math.Max(LastNs, ev.Header.TimestampNs);
    }
}
