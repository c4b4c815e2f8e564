using System.Text.Json;
using Capture.Analyzer.Cli;
using Capture.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Fuzz;

/// <summary>
/// The whole `analyze` command on damaged recordings: pages overwritten, the file cut short, tables and columns
/// missing or renamed, values of the wrong type, a bad schema version. Every run ends with a result (exit 0) or
/// one line on stderr and exit 1: never an unexpected exception, never a hang.
/// </summary>
public sealed class RecordingFuzzTests
{
    public const int Inputs = 2_000;

    private static readonly string[] Columns =
        ["id", "conn_id", "ts_ns", "pid", "tid", "fd", "direction", "stream_pos", "call_bytes", "data_len", "flags", "source", "tls", "data", "calls"];

    private static readonly string[] ConnectionColumns =
        ["id", "pid", "tid", "comm", "fd", "role", "opened_by", "family", "local_addr", "local_port", "remote_addr", "remote_port",
         "mid_stream", "opened_ns", "closed_ns", "tls_library", "tls_attribution"];

    /// <summary>Values of every storage class, and integers at the edges.</summary>
    private static readonly string[] OddValues =
        ["NULL", "'abc'", "''", "1.5", "-1", "x''", "x'00ff'", "9223372036854775807", "-9223372036854775808", "2147483648", "'12'", "1e300"];

    [Fact]
    public void Damaged_recordings_end_in_a_result_or_one_line_and_exit_1()
    {
        using var dir = new TempDir();
        byte[] valid = SeedRecording.CreateWithRuns(dir.File("valid.db"));
        Assert.Equal(0, Analyze(dir.File("valid.db"), json: true).Exit);

        string path = dir.File("damaged.db");
        int analyzed = 0, refused = 0;
        var report = FuzzLoop.Run("recording", 91, Inputs, random => Damage(valid, random, dir.File("work.db")), (input, random) =>
        {
            foreach (var side in new[] { "", "-wal", "-shm", "-journal" }) File.Delete(path + side);
            File.WriteAllBytes(path, input);
            var (exit, stdout, stderr) = Analyze(path, json: random.Next(2) == 0);
            Assert.True(exit is AnalyzeCommand.ExitOk or AnalyzeCommand.ExitBadFile, $"exit {exit}: {stderr}");
            if (exit == AnalyzeCommand.ExitOk)
            {
                Assert.Empty(stderr);
                analyzed++;
            }
            else
            {
                refused++;
                Assert.Single(stderr.TrimEnd('\n').Split('\n'));
                Assert.StartsWith("analyze: ", stderr);
                Assert.DoesNotContain("unexpected failure", stderr);
            }
        });
        Assert.Equal(Inputs, report.Inputs);
        // Both outcomes occur: the damage is neither always fatal nor always harmless.
        Assert.True(analyzed > Inputs / 20 && refused > Inputs / 20, $"{analyzed} analyzed, {refused} refused");
        Console.WriteLine($"fuzz recording: {analyzed} analyzed, {refused} refused in one line");
    }

    internal static (int Exit, string Stdout, string Stderr) Analyze(string path, bool json)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = AnalyzeCommand.Run(json ? [path, "--slowest", "5", "--json"] : [path, "--slowest", "5"], stdout, stderr);
        if (exit == 0 && json)
            foreach (var line in stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)) JsonDocument.Parse(line).Dispose();
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A damaged copy of <paramref name="valid"/>: one to three kinds of damage stacked.</summary>
    private static byte[] Damage(byte[] valid, Random random, string work)
    {
        byte[] bytes = valid;
        for (int i = random.Next(1, 4); i > 0; i--)
        {
            bytes = random.Next(10) switch
            {
                < 4 => CorruptPage(bytes, random),
                4 => bytes[..random.Next(bytes.Length)],
                5 => bytes[..(random.Next(Math.Max(1, bytes.Length / PageSize(bytes))) * PageSize(bytes))],
                _ => WithSql(bytes, work, SchemaDamage(random)),
            };
        }
        return bytes;
    }

    private static int PageSize(byte[] db) => db.Length >= 18 ? Math.Max(512, db[16] << 8 | db[17]) : 4096;

    /// <summary>Overwrites part of one page (the header page more often than the others) with noise, zeros or a copy.</summary>
    private static byte[] CorruptPage(byte[] bytes, Random random)
    {
        var copy = (byte[])bytes.Clone();
        if (copy.Length == 0) return copy;
        int pageSize = PageSize(copy);
        int pages = Math.Max(1, copy.Length / pageSize);
        int page = random.Next(4) == 0 ? 0 : random.Next(pages);
        int start = Math.Min(page * pageSize, copy.Length - 1), end = Math.Min(start + pageSize, copy.Length);
        switch (random.Next(3))
        {
            case 0:
                for (int n = random.Next(1, 16); n > 0; n--) copy[random.Next(start, end)] = (byte)random.Next(256);
                break;
            case 1:
                int from = random.Next(start, end);
                Array.Clear(copy, from, random.Next(end - from + 1));
                break;
            default:
                int at = random.Next(start, end);
                random.NextBytes(copy.AsSpan(at, Math.Min(end - at, random.Next(1, 64))));
                break;
        }
        return copy;
    }

    /// <summary>SQL that leaves a well-formed SQLite file that is a wrong or odd recording.</summary>
    private static string SchemaDamage(Random random)
    {
        string Pick(string[] from) => from[random.Next(from.Length)];
        return random.Next(10) switch
        {
            0 => Pick(["DROP TABLE chunks", "DROP TABLE connections", "DROP TABLE run_info", "DROP TABLE drops", "DROP TABLE processes"]),
            1 => $"ALTER TABLE chunks RENAME COLUMN {Pick(Columns[1..])} TO renamed",
            2 => $"ALTER TABLE connections RENAME COLUMN {Pick(ConnectionColumns[1..])} TO renamed",
            3 => $"PRAGMA user_version = {Pick(["0", "2", "-1", "1000000"])}",
            4 => $"DELETE FROM run_info; INSERT INTO run_info VALUES ('monotonic_to_wall_offset_ns', {Pick(OddValues)})",
            5 => $"DROP INDEX chunks_by_stream; DELETE FROM chunks WHERE id % {random.Next(2, 5)} = 0",
            6 => $"INSERT INTO chunks SELECT NULL, conn_id, ts_ns, pid, tid, fd, direction, stream_pos - {random.Next(0, 3000)}, call_bytes, data_len, flags, source, tls, data, calls FROM chunks WHERE id % 3 = 0",
            8 => $"UPDATE chunks SET calls = {Pick([.. OddValues, "randomblob(12)", "randomblob(24)", "substr(calls, 13)", "calls || calls"])} WHERE id % {random.Next(1, 4)} = 0",
            // Columns without types (SQLite keeps any value in them), then odd values in one column.
            7 => Untyped("chunks", Columns) + $"UPDATE chunks SET {Pick(Columns[1..])} = {Pick(OddValues)} WHERE id % {random.Next(1, 4)} = 0",
            _ => Untyped("connections", ConnectionColumns) + $"UPDATE connections SET {Pick(ConnectionColumns)} = {Pick(OddValues)} WHERE id = {random.Next(1, 4)}",
        };
    }

    private static string Untyped(string table, string[] columns) =>
        $"CREATE TABLE t AS SELECT * FROM {table}; DROP TABLE {table}; CREATE TABLE {table}({string.Join(", ", columns)}); " +
        $"INSERT INTO {table} SELECT * FROM t; DROP TABLE t; ";

    /// <summary>Runs SQL on a copy; a copy already too damaged to take it stays as it was.</summary>
    internal static byte[] WithSql(byte[] bytes, string work, string sql)
    {
        foreach (var side in new[] { "", "-wal", "-shm", "-journal" }) File.Delete(work + side);
        File.WriteAllBytes(work, bytes);
        try
        {
            using (var db = new SqliteConnection($"Data Source={work};Pooling=False"))
            {
                db.Open();
                using var command = db.CreateCommand();
                command.CommandText = "PRAGMA journal_mode = DELETE; " + sql;
                command.ExecuteNonQuery();
            }
            return File.ReadAllBytes(work);
        }
        catch (SqliteException) { return bytes; }
    }
}
