using Capture.Tests.Fuzz;
using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Analyzer;

/// <summary>The recorder stores a run of whole calls as one chunks row; every answer the analyzer gives must be the
/// one it gives for the same calls stored a row each: same exchanges, same times to the nanosecond, same packets.</summary>
public class ChunkRunsAnalysisTests
{
    /// <summary>The shop (HTTP/1.1 from both ends, h2c gRPC), the fuzzer's seed (calls of random sizes), and requests left unanswered.</summary>
    public static TheoryData<string> Recordings => ["shop", "seed", "unfinished"];

    /// <summary>Requests never answered on a connection never closed: their end is the recording's last call, which
    /// sits inside a run that began earlier.</summary>
    private static void Unfinished(string path)
    {
        var rec = new SyntheticRecording(path);
        rec.Connection("curl", 100, "client", "10.0.0.1:40000", "10.0.0.2:80")
            .ClientSends(1, "GET /answered HTTP/1.1\r\nHost: shop\r\n\r\n")
            .ServerSends(3, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .ClientSends(10, "GET /never HTTP/1.1\r\nHost: shop\r\n\r\n")
            .ClientSends(400, "GET /also-never HTTP/1.1\r\n")
            .ClientSends(900, "Host: shop\r\n\r\n");
        rec.Save();
    }

    private static (string PerCall, string Runs) Both(TempDir dir, string recording)
    {
        var perCall = dir.File($"{recording}.db");
        if (recording == "shop") ShopRecording.Write(perCall);
        else if (recording == "unfinished") Unfinished(perCall);
        else SeedRecording.Create(perCall);
        var runs = RunsRecording.Rejoin(perCall, dir.File($"{recording}-runs.db"));
        using var db = new SqliteConnection($"Data Source={runs};Mode=ReadOnly;Pooling=false");
        var (rows, joined) = db.QuerySingle<(long, long)>("SELECT count(*), count(calls) FROM chunks");
        Assert.True(joined > 0, "no row of the rejoined recording holds a run: the comparison would prove nothing");
        Assert.True(rows < new SqliteConnection($"Data Source={perCall};Mode=ReadOnly;Pooling=false").ExecuteScalar<long>("SELECT count(*) FROM chunks"));
        return (perCall, runs);
    }

    private static string Answer(string db, params string[] question) => Analyze.Output(db, question).Replace(db, "RECORDING");

    [Theory]
    [MemberData(nameof(Recordings))]
    public void Every_question_gets_the_same_answer_from_runs_as_from_a_row_per_call(string recording)
    {
        using var dir = new TempDir();
        var (perCall, runs) = Both(dir, recording);
        string[][] questions = [["--list", "--json"], ["--stats", "--json"], ["--errors", "--json"], ["--by", "connection", "--json"]];
        foreach (var question in questions)
        {
            var expected = Answer(perCall, question);
            Assert.NotEqual("", expected.Trim());
            Assert.Equal(expected, Answer(runs, question));
        }
        foreach (var id in Analyze.ListJson(perCall).Select(e => e.GetProperty("id").ToString()))
            Assert.Equal(Answer(perCall, "--show", id), Answer(runs, "--show", id));
    }

    [Fact]
    public void The_exported_pcapng_has_the_same_packets_at_the_same_times()
    {
        using var dir = new TempDir();
        var (perCall, runs) = Both(dir, "shop");
        List<string[]> Packets(string db)
        {
            var output = db + ".pcapng";
            Answer(db, "--export-pcapng", output);
            // Packets of different connections at the same nanosecond may come in either order: compare them sorted.
            return [.. PacketTools.Tshark(output, null, ["frame.time_epoch", "tcp.srcport", "tcp.dstport", "tcp.seq", "tcp.len", "frame.comment"])
                .OrderBy(p => string.Join('\t', p), StringComparer.Ordinal)];
        }
        var expected = Packets(perCall);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Packets(runs));
    }
}
