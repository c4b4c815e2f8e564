using System.Text;
using Capture.Recorder.Interop;
using Capture.Recorder.Storage;
using CallsReader = Capture.Analyzer.Recording.ChunkCalls;

namespace Capture.Tests.Storage;

/// <summary>How the recorder turns calls into chunks rows: whole calls that follow each other on one stream share a
/// row whose calls list keeps each call's time and size; anything a reader must see on its own gets a row of its own.</summary>
public class ChunkRunsTests
{
    private sealed record Row(ulong ConnId, Direction Direction, ulong StreamPos, ulong TimestampNs, uint Tid, ulong CallBytes, DataFlags Flags,
        string Data, (long Ts, int Bytes)[] Calls);

    private readonly List<Row> _rows = [];
    private readonly ChunkRuns _runs;

    public ChunkRunsTests() => _runs = new ChunkRuns(Store);

    /// <summary>Keeps each row as the analyzer will read it: its calls list through the analyzer's own reader.</summary>
    private void Store(in DataEvent row, ReadOnlySpan<byte> data, ReadOnlySpan<byte> calls)
    {
        (long, int)[] list = calls.IsEmpty ? []
            : [.. CallsReader.Of((long)row.Header.TimestampNs, calls.ToArray(), data.Length).Select(c => (c.TimestampNs, c.Length))];
        _rows.Add(new Row(row.Header.ConnId, row.Direction, row.StreamPos, row.Header.TimestampNs, row.Header.Tid, row.CallBytes, row.Flags,
            Encoding.Latin1.GetString(data), list));
    }

    private static DataEvent Call(ulong pos, ulong ts, int length, ulong conn = 1, Direction direction = Direction.Egress, uint tid = 10,
        int fd = 3, EventSource source = EventSource.Write, DataFlags flags = DataFlags.None, ulong? callBytes = null,
        TlsLibrary tls = TlsLibrary.None) => new()
    {
        Header = new EventHeader { ConnId = conn, TimestampNs = ts, Pid = 10, Tid = tid, Fd = fd, Kind = EventKind.Data, Source = source },
        StreamPos = pos, CallBytes = callBytes ?? (ulong)length, DataLen = (uint)length, Direction = direction, Flags = flags, TlsLibrary = tls,
    };

    private void Add(in DataEvent ev, string data) => _runs.Add(ev, Encoding.Latin1.GetBytes(data));

    [Fact]
    public void Calls_that_follow_each_other_on_a_stream_share_one_row_that_lists_each_call()
    {
        Add(Call(0, 100, 4), "GET ");
        Add(Call(4, 250, 2), "/ ");
        Add(Call(6, 900, 10), "HTTP/1.1\r\n");
        _runs.EmitAll();

        var row = Assert.Single(_rows);
        Assert.Equal("GET / HTTP/1.1\r\n", row.Data);
        Assert.Equal((0UL, 100UL, 16UL), (row.StreamPos, row.TimestampNs, row.CallBytes));
        Assert.Equal([(100L, 4), (250L, 2), (900L, 10)], row.Calls);
    }

    [Fact]
    public void A_lone_call_is_a_row_without_a_calls_list_as_in_schema_1()
    {
        Add(Call(0, 100, 5), "hello");
        _runs.EmitAll();
        Assert.Empty(Assert.Single(_rows).Calls);
    }

    [Fact]
    public void Streams_interleaved_in_time_each_keep_their_own_run()
    {
        Add(Call(0, 1, 2, conn: 1), "a1");
        Add(Call(0, 2, 2, conn: 2), "b1");
        Add(Call(0, 3, 2, conn: 1, direction: Direction.Ingress), "r1");
        Add(Call(0, 4, 2, conn: 1, tls: TlsLibrary.OpenSsl, source: EventSource.TlsWrite), "t1");
        Add(Call(2, 5, 2, conn: 1), "a2");
        Add(Call(2, 6, 2, conn: 2), "b2");
        Add(Call(2, 7, 2, conn: 1, direction: Direction.Ingress), "r2");
        Add(Call(2, 8, 2, conn: 1, tls: TlsLibrary.OpenSsl, source: EventSource.TlsWrite), "t2");
        _runs.EmitAll();

        Assert.Equal(["a1a2", "b1b2", "r1r2", "t1t2"], _rows.Select(r => r.Data).Order());
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("unreadable")]
    [InlineData("piece of a call over 16 KiB")]
    public void A_call_that_is_not_whole_ends_the_run_and_gets_a_row_of_its_own(string kind)
    {
        var odd = kind switch
        {
            "truncated" => Call(4, 200, 4, flags: DataFlags.Truncated, callBytes: 100),
            "unreadable" => Call(4, 200, 4, flags: DataFlags.Unreadable),
            _ => Call(4, 200, 4, callBytes: 20000),
        };
        Add(Call(0, 100, 4), "GET ");
        Add(odd, "odd!");
        Add(Call(odd.StreamPos + odd.CallBytes, 300, 4), "next");
        _runs.EmitAll();

        Assert.Equal(["GET ", "odd!", "next"], _rows.Select(r => r.Data));
        Assert.Equal(odd.CallBytes, _rows[1].CallBytes);
        Assert.Equal(odd.Flags, _rows[1].Flags);
        Assert.All(_rows, r => Assert.Empty(r.Calls));
    }

    [Fact]
    public void A_call_elided_by_policy_is_a_row_of_its_own()
    {
        Add(Call(0, 100, 4), "GET ");
        _runs.Add(Call(4, 200, 0, callBytes: 50), []);
        Add(Call(54, 300, 4), "next");
        _runs.EmitAll();
        Assert.Equal([(0UL, 4UL), (4UL, 50UL), (54UL, 4UL)], _rows.Select(r => (r.StreamPos, r.CallBytes)));
    }

    [Fact]
    public void Bytes_lost_between_two_calls_start_a_new_row_so_the_hole_stays_visible()
    {
        Add(Call(0, 100, 4), "GET ");
        Add(Call(104, 200, 4), "late");
        _runs.EmitAll();
        Assert.Equal([0UL, 104UL], _rows.Select(r => r.StreamPos));
    }

    [Theory]
    [InlineData("thread")]
    [InlineData("fd")]
    [InlineData("call kind")]
    public void A_call_by_another_thread_fd_or_call_kind_starts_a_new_row(string change)
    {
        Add(Call(0, 100, 4, tid: 10, fd: 3, source: EventSource.Write), "GET ");
        var next = change switch
        {
            "thread" => Call(4, 200, 4, tid: 11),
            "fd" => Call(4, 200, 4, fd: 4),
            _ => Call(4, 200, 4, source: EventSource.Sendto),
        };
        Add(next, "/ HT");
        _runs.EmitAll();
        Assert.Equal(["GET ", "/ HT"], _rows.Select(r => r.Data));
    }

    [Fact]
    public void A_run_ends_at_its_size_limit_and_the_stream_goes_on_in_the_next_row()
    {
        int size = 1000, count = ChunkRuns.MaxRunBytes / size + 5;
        for (int i = 0; i < count; i++) Add(Call((ulong)(i * size), (ulong)i, size), new string((char)('a' + i % 26), size));
        _runs.EmitAll();

        Assert.Equal(2, _rows.Count);
        Assert.True(_rows[0].Data.Length <= ChunkRuns.MaxRunBytes);
        Assert.Equal((ulong)_rows[0].Data.Length, _rows[1].StreamPos);
        Assert.Equal(count * size, _rows.Sum(r => r.Data.Length));
    }

    [Fact]
    public void Open_runs_are_ended_early_when_together_they_hold_the_memory_limit()
    {
        int size = ChunkRuns.MaxRunBytes / 2, connections = ChunkRuns.MaxPendingBytes / size + 1;
        var payload = new string('x', size);
        for (int c = 1; c <= connections; c++) Add(Call(0, 1, size, conn: (ulong)c), payload);
        Assert.NotEmpty(_rows); // stored before the writer asked: the limit, not the commit, ended them
        _runs.EmitAll();
        Assert.Equal(connections, _rows.Count);
    }

    [Fact]
    public void Open_runs_are_ended_early_when_together_they_hold_the_call_limit()
    {
        // 64 connections, each adding one byte after the other: runs that could go on, but for the limit.
        for (int i = 0; i <= ChunkRuns.MaxPendingCalls; i++) Add(Call((ulong)(i / 64), (ulong)i, 1, conn: (ulong)(i % 64)), "x");
        Assert.Equal(64, _rows.Count);
        _runs.EmitAll();
        Assert.Equal(ChunkRuns.MaxPendingCalls + 1, _rows.Sum(r => Math.Max(1, r.Calls.Length)));
    }

    [Fact]
    public void Nothing_is_kept_back_after_emit_all()
    {
        Add(Call(0, 100, 4), "GET ");
        _runs.EmitAll();
        _runs.EmitAll();
        Add(Call(4, 200, 4), "/ HT");
        _runs.EmitAll();
        Assert.Equal(["GET ", "/ HT"], _rows.Select(r => r.Data));
    }
}
