using System.Text;
using Capture.Analyzer.Http1;
using Capture.Analyzer.Reassembly;
using Capture.Analyzer.Recording;
using Capture.Recorder.Storage;
using Capture.Tests.Support;
using Dapper;

namespace Capture.Tests.Faults;

/// <summary>
/// Found by the 100 MB body test: when the last call of a direction moved more bytes than were captured (the
/// per-call cap, or sendfile), its uncaptured tail is a hole, so a response that ends inside it is complete
/// and keeps its true length instead of ending at the last captured byte.
/// </summary>
public sealed class TruncatedLastCallTests
{
    private static (List<long> Holes, Http1StreamParser Parser) Replay(params (long Pos, long CallBytes, int Captured, long Ts)[] calls)
    {
        using var dir = new TempDir();
        using var db = RunDatabase.Create(dir.File("run.db"));
        var response = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + new string('x', 100000));
        Assert.Equal(100043, response.Length);
        foreach (var (pos, callBytes, captured, ts) in calls)
            db.Connection.Execute("""
                INSERT INTO chunks(conn_id, ts_ns, pid, tid, fd, direction, stream_pos, call_bytes, data_len, flags, source, tls, data)
                VALUES (1, @ts, 1, 1, 3, 1, @pos, @callBytes, @captured, @flags, 'read', 0, @data)
                """, new { ts, pos, callBytes, captured, flags = captured < callBytes ? 1 : 0, data = response[(int)pos..(int)(pos + captured)] });
        var parser = new Http1StreamParser(Http1MessageKind.Response);
        var holes = new List<long>();
        DirectionStream.Replay(db.Connection, new ConnectionRow { Id = 1 }, 1, b => parser.Feed(b), h => { holes.Add(h); parser.Gap(h); });
        parser.End();
        return (holes, parser);
    }

    [Fact]
    public void The_uncaptured_tail_of_the_last_call_completes_the_response_with_its_true_length()
    {
        var (holes, parser) = Replay((0, 60000, 4096, 10), (60000, 40043, 4096, 20));
        Assert.Equal([60000 - 4096, 40043 - 4096], holes);
        var message = Assert.Single(parser.Messages);
        Assert.Equal(100043, message.EndOffset);
        Assert.False(message.Flags.HasFlag(Http1MessageFlags.Incomplete));
    }

    [Fact]
    public void A_call_split_over_several_rows_counts_its_tail_from_the_calls_start()
    {
        // One 100043-byte call captured as two rows of 16 KiB (same timestamp and call size), then cut by the cap.
        var (holes, parser) = Replay((0, 100043, 16384, 10), (16384, 100043, 16384, 10));
        Assert.Equal([100043 - 32768], holes);
        Assert.Equal(100043, Assert.Single(parser.Messages).EndOffset);
    }

    [Fact]
    public void A_fully_captured_last_call_adds_no_hole()
    {
        var (holes, parser) = Replay((0, 60000, 4096, 10), (60000, 40043, 40043, 20));
        Assert.Equal([60000 - 4096], holes);
        Assert.Equal(100043, Assert.Single(parser.Messages).EndOffset);
    }
}
