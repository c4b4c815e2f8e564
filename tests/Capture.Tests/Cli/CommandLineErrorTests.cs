using Capture.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Tests.Cli;

/// <summary>Bad input gets one clear line on stderr and a non-zero exit, never a stack trace.</summary>
public sealed class CommandLineErrorTests
{
    private static void AssertOneLineError(ProcessRunner.Result result, int exitCode, string expected)
    {
        Assert.Equal(exitCode, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("System.", result.Stderr); // no .NET type names: say what the option takes
    }

    [Fact]
    public void Analyze_refuses_a_missing_file()
    {
        AssertOneLineError(ProcessRunner.Run(Repo.AnalyzeBinary, ["/nonexistent/run.db"]), 1, "analyze: /nonexistent/run.db: no such file");
    }

    [Fact]
    public void Analyze_refuses_a_file_that_is_not_sqlite()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("notes.db"), "just some text, long enough to look at\n");
        AssertOneLineError(ProcessRunner.Run(Repo.AnalyzeBinary, [dir.File("notes.db")]), 1, "is not a Capture recording (not an SQLite database)");
    }

    [Fact]
    public void Analyze_refuses_an_sqlite_file_without_capture_tables()
    {
        using var dir = new TempDir();
        using (var db = new SqliteConnection($"Data Source={dir.File("other.db")};Pooling=false"))
        {
            db.Open();
            db.Execute("CREATE TABLE t(x)");
        }
        AssertOneLineError(ProcessRunner.Run(Repo.AnalyzeBinary, [dir.File("other.db")]), 1, "is not a Capture recording (an SQLite database without Capture's tables)");
    }

    [Fact]
    public void Analyze_refuses_a_recording_from_a_newer_schema()
    {
        using var dir = new TempDir();
        using (var db = new SqliteConnection($"Data Source={dir.File("new.db")};Pooling=false"))
        {
            db.Open();
            db.Execute("CREATE TABLE run_info(key TEXT PRIMARY KEY, value TEXT); PRAGMA user_version = 99;");
        }
        AssertOneLineError(ProcessRunner.Run(Repo.AnalyzeBinary, [dir.File("new.db")]), 1, "was written by a newer Capture (schema 99; this analyze reads up to 2): update Capture");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-2147483648)]
    public void Analyze_refuses_a_recording_whose_schema_version_is_not_a_positive_one(int version)
    {
        using var dir = new TempDir();
        string db = Capture.Tests.Analyzer.ShopRecording.Write(dir.File("shop.db"));
        using (var connection = new SqliteConnection($"Data Source={db};Pooling=false"))
        {
            connection.Open();
            connection.Execute($"PRAGMA user_version = {version}");
        }
        AssertOneLineError(ProcessRunner.Run(Repo.AnalyzeBinary, [db, "--list"]), 1,
            $"is not a Capture recording (schema version {version}; Capture's are 1 to 2)");
    }

    [Theory]
    [InlineData("--endpoints")]
    [InlineData("--all")]
    public void Analyze_names_an_unknown_option_rather_than_looking_for_a_file_of_that_name(string option)
    {
        AssertOneLineError(ProcessRunner.Run(Repo.AnalyzeBinary, ["whatever.db", option]), 2, $"analyze: unknown option {option} (see --help)");
    }

    [Theory]
    [InlineData("--slowest", "0", "analyze: --slowest takes a positive count")]
    [InlineData("--slowest", "many", "analyze: --slowest takes a whole number up to 2147483647, not 'many' (see --help)")]
    [InlineData("--slowest", "99999999999", "analyze: --slowest takes a whole number up to 2147483647, not '99999999999' (see --help)")]
    [InlineData("--body-kb", "big", "analyze: --body-kb takes a count from 1 to 1048576, not 'big' (see --help)")]
    [InlineData("--export-har", "", "analyze: --export-har needs a file name")]
    [InlineData("--export-har", "/tmp", "analyze: --export-har /tmp is a directory")]
    [InlineData("--where", "side=sever", "analyze: --where side=sever: 'sever' is not client or server")]
    [InlineData("--where", "tls=maybe", "analyze: --where tls=maybe: 'maybe' is not true or false")]
    [InlineData("--pid", "42", "analyze: --pid and --connection go with --export-pcapng")]
    [InlineData("--where", "status=NaN", "analyze: --where status=NaN: 'NaN' is not a number")]
    [InlineData("--where", "duration<Infinity", "analyze: --where duration<Infinity: 'Infinity' is not a duration")]
    [InlineData("show", "abc", "analyze: --show takes a whole number up to 9223372036854775807, not 'abc' (see --help)")]
    [InlineData("show", "99999999999999999999", "analyze: --show takes a whole number up to 9223372036854775807, not '99999999999999999999' (see --help)")]
    public void Analyze_rejects_bad_options(string option, string value, string expected)
    {
        AssertOneLineError(ProcessRunner.Run(Repo.AnalyzeBinary, ["whatever.db", option, value]), 2, expected);
    }

    [Theory]
    [InlineData("--limit", "1")]
    [InlineData("--json")]
    [InlineData("--csv")]
    public void Analyze_refuses_table_options_with_export_pcapng_rather_than_ignoring_them(params string[] option) =>
        AssertOneLineError(ProcessRunner.Run(Repo.AnalyzeBinary, ["whatever.db", "--export-pcapng", "/tmp/never-written.pcapng", .. option]), 2,
            $"analyze: {option[0]} does not apply to --export-pcapng (it writes every packet of the connections --where keeps)");

    [Theory]
    [InlineData("--duration", "soon", "record: 'soon' is not a duration: use a number with a unit, like 500ms, 30s, 2m or 1h")]
    [InlineData("--duration", "0s", "record: '0s' is not a positive duration")]
    [InlineData("--comm", "a-name-longer-than-15", "must be 1 to 15 characters")]
    [InlineData("--ring-buffer-mb", "3", "--ring-buffer-mb must be a power of two between 1 and 1024")]
    [InlineData("--port", "70000", "record: --port takes a whole number from 0 to 65535, not '70000' (see --help)")]
    [InlineData("--pid", "abc", "record: --pid takes a whole number from 0 to 4294967295, not 'abc' (see --help)")]
    [InlineData("--tls-binary", "/nonexistent/app", "record: --tls-binary /nonexistent/app: no such file")]
    [InlineData("--redact-key", "/nonexistent/key", "record: --redact-key /nonexistent/key: no such file")]
    [InlineData("--redact-key", "/dev/null", "record: --redact-key /dev/null: the key must be at least 16 bytes")]
    [InlineData("--duration", "10000000000000000000s", "record: '10000000000000000000s' is longer than a recording can run (at most 365 days)")]
    [InlineData("--port", "0", "record: --port 0 names no port: give a port from 1 to 65535, or leave --port out to record every port")]
    [InlineData("--pid", "0", "record: --pid 0 names no process")]
    [InlineData("--pcapng", "", "record: --pcapng needs a file name")]
    [InlineData("--pcapng", "/tmp", "record: --pcapng /tmp is a directory")]
    [InlineData("--pcapng", "/tmp/never-written.db", "record: -o and --pcapng are the same file (/tmp/never-written.db): give each its own")]
    public void Record_rejects_bad_options_before_touching_the_kernel(string option, string value, string expected)
    {
        AssertOneLineError(ProcessRunner.Run(Repo.RecordBinary, ["-o", "/tmp/never-written.db", option, value]), 2, expected);
        Assert.False(File.Exists("/tmp/never-written.db"));
    }

    [Theory]
    [InlineData("", "record: -o needs a file name")]
    [InlineData("/tmp", "record: -o /tmp is a directory")]
    public void Record_rejects_an_output_that_is_no_file_name(string output, string expected) =>
        AssertOneLineError(ProcessRunner.Run(Repo.RecordBinary, ["-o", output]), 2, expected);

    [Fact]
    public void Record_refuses_no_redact_together_with_what_configures_redaction()
    {
        AssertOneLineError(ProcessRunner.Run(Repo.RecordBinary, ["-o", "/tmp/never-written.db", "--no-redact", "--redact-header", "x-secret"]), 2,
            "record: --no-redact cannot be combined with --redact-header, --redact-query or --redact-key");
        Assert.False(File.Exists("/tmp/never-written.db"));
    }

    [Fact]
    public void Record_as_an_unprivileged_user_says_it_needs_root()
    {
        Requires.RootAndBpf(); // dropping to nobody needs root to begin with
        using var dir = new TempDir();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("777", 8));
        var result = ProcessRunner.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Repo.RecordBinary, "-o", dir.File("run.db")]);
        AssertOneLineError(result, 3, "record: recording needs root (to load BPF programs): run it with sudo");
    }

    [Fact]
    public void Record_refuses_to_overwrite_an_existing_recording()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        File.WriteAllText(dir.File("run.db"), "precious");
        AssertOneLineError(ProcessRunner.Run(Repo.RecordBinary, ["-o", dir.File("run.db")]), 2, "already exists: choose another -o, or pass --overwrite");
        Assert.Equal("precious", File.ReadAllText(dir.File("run.db")));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    public void Durations_accept_ms_s_m_h_and_sums(string text, long milliseconds)
    {
        Assert.True(Capture.Recorder.Cli.DurationParser.TryParse(text, out var duration, out _));
        Assert.Equal(milliseconds, (long)duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("500ms", "500ms")]
    [InlineData("1.5s", "1.5s")]
    [InlineData("60s", "1m")]
    [InlineData("1m30s", "1m30s")]
    [InlineData("90m", "1h30m")]
    [InlineData("26h", "26h")]
    public void The_ready_line_gives_the_duration_back_in_the_units_a_user_writes(string given, string shown)
    {
        Assert.True(Capture.Recorder.Cli.DurationParser.TryParse(given, out var duration, out _));
        Assert.Equal(shown, Capture.Recorder.Cli.DurationParser.Format(duration));
        Assert.True(Capture.Recorder.Cli.DurationParser.TryParse(shown, out var again, out _));
        Assert.Equal(duration, again);
    }
}
