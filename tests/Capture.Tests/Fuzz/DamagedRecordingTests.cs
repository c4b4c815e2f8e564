using Capture.Analyzer.Cli;
using Capture.Tests.Support;

namespace Capture.Tests.Fuzz;

/// <summary>Regression cases the recording fuzzer found, each one a behaviour of `analyze` on a damaged file.</summary>
public sealed class DamagedRecordingTests
{
    private static (int Exit, string Stdout, string Stderr) AnalyzeDamaged(string sql)
    {
        using var dir = new TempDir();
        byte[] damaged = RecordingFuzzTests.WithSql(SeedRecording.CreateWithRuns(dir.File("valid.db")), dir.File("damaged.db"), sql);
        File.WriteAllBytes(dir.File("damaged.db"), damaged);
        return RecordingFuzzTests.Analyze(dir.File("damaged.db"), json: true);
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_refused_in_one_line_naming_table_row_and_column()
    {
        var (exit, _, stderr) = AnalyzeDamaged(
            "CREATE TABLE t AS SELECT * FROM connections; DROP TABLE connections; CREATE TABLE connections AS SELECT * FROM t; DROP TABLE t; " +
            "UPDATE connections SET local_port = 'eighty' WHERE id = 2");
        Assert.Equal(AnalyzeCommand.ExitBadFile, exit);
        Assert.Matches(@"^analyze: \S+ is damaged: connections row \d+ has a value of the wrong type in local_port \(expected integer\)\n$", stderr);
    }

    [Fact]
    public void A_missing_column_is_refused_in_one_line_naming_it()
    {
        var (exit, _, stderr) = AnalyzeDamaged("ALTER TABLE chunks RENAME COLUMN stream_pos TO position");
        Assert.Equal(AnalyzeCommand.ExitBadFile, exit);
        Assert.Matches(@"^analyze: \S+ is not a complete Capture recording: column chunks.stream_pos is missing\n$", stderr);
    }

    [Fact]
    public void A_missing_table_is_refused_in_one_line_naming_it()
    {
        var (exit, _, stderr) = AnalyzeDamaged("DROP TABLE chunks");
        Assert.Equal(AnalyzeCommand.ExitBadFile, exit);
        Assert.Matches(@"^analyze: \S+ is not a complete Capture recording: the chunks table is missing\n$", stderr);
    }

    [Fact]
    public void A_damaged_schema_whose_SQLite_error_spans_lines_is_reported_on_one_line()
    {
        var (exit, _, stderr) = AnalyzeDamaged(
            "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = 'CREATE TABLE drops(' || char(10) || 'broken' WHERE name = 'drops'");
        Assert.Equal(AnalyzeCommand.ExitBadFile, exit);
        Assert.StartsWith("analyze: ", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Timestamps_at_the_ends_of_the_integer_range_still_analyze()
    {
        var (exit, stdout, stderr) = AnalyzeDamaged(
            "UPDATE chunks SET ts_ns = 9223372036854775807 WHERE id % 2 = 0; UPDATE chunks SET ts_ns = -9223372036854775808 WHERE id % 2 = 1");
        Assert.True(exit == AnalyzeCommand.ExitOk, stderr);
        Assert.NotEmpty(stdout);
    }

    [Theory]
    [InlineData("x'00ff'")]
    [InlineData("substr(calls, 13)")]
    [InlineData("CAST(calls || calls AS BLOB)")]
    [InlineData("zeroblob(length(calls))")]
    public void A_calls_list_that_does_not_add_up_to_its_row_reads_as_one_call_and_loses_no_byte(string damage)
    {
        using var dir = new TempDir();
        byte[] valid = SeedRecording.CreateWithRuns(dir.File("valid.db"));
        File.WriteAllBytes(dir.File("damaged.db"), RecordingFuzzTests.WithSql(valid, dir.File("work.db"), $"UPDATE chunks SET calls = {damage} WHERE calls IS NOT NULL"));
        string[] Exchanges(string db)
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            Assert.True(AnalyzeCommand.Run([db, "--list", "--json"], stdout, stderr) == AnalyzeCommand.ExitOk, stderr.ToString());
            Assert.Empty(stderr.ToString());
            return [.. stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
                .Select(e => $"{e.GetProperty("connection_id")} {e.GetProperty("method")} {e.GetProperty("path")} {e.GetProperty("status")} {e.GetProperty("req_bytes")} {e.GetProperty("resp_bytes")}")];
        }
        var expected = Exchanges(dir.File("valid.db"));
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Exchanges(dir.File("damaged.db")));
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(0L)]
    public void Calls_whose_times_are_at_the_ends_of_the_integer_range_still_analyze(long timestampNs)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("odd.db"), SeedRecording.CreateWithRuns(dir.File("valid.db")));
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={dir.File("odd.db")};Pooling=false"))
        {
            db.Open();
            var runs = Dapper.SqlMapper.Query<(long Id, byte[] Calls)>(db, "SELECT id, calls FROM chunks WHERE calls IS NOT NULL").ToList();
            Assert.NotEmpty(runs);
            foreach (var (id, calls) in runs)
            {
                // Every other call at the given time, the lengths untouched: a list that still adds up.
                for (int at = 0; at < calls.Length; at += 24) System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(calls.AsSpan(at), timestampNs);
                Dapper.SqlMapper.Execute(db, "UPDATE chunks SET calls = @calls WHERE id = @id", new { calls, id });
            }
        }
        foreach (var question in new[] { new[] { "--list", "--json" }, ["--stats"], ["--export-pcapng", dir.File("odd.pcapng")] })
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            int exit = AnalyzeCommand.Run([dir.File("odd.db"), .. question], stdout, stderr);
            Assert.True(exit == AnalyzeCommand.ExitOk, $"{string.Join(' ', question)}: {stderr}");
            Assert.Empty(stderr.ToString());
        }
    }
}
