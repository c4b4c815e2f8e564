using System.Text.Json;

namespace Capture.Tests.Support;

/// <summary>The real `record` program, run as a user would, writing into a temporary folder.</summary>
internal sealed class RecorderRun : IDisposable
{
    public const int SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    private readonly BackgroundProcess _process;
    public string DbPath { get; }

    private RecorderRun(string dbPath, BackgroundProcess process)
    {
        DbPath = dbPath;
        _process = process;
    }

    /// <summary>Starts recording and returns once it printed its "recording" line (probes live).</summary>
    public static RecorderRun Start(string directory, params string[] extraArgs)
    {
        var db = Path.Combine(directory, "run.db");
        var process = new BackgroundProcess(Repo.RecordBinary, ["-o", db, .. extraArgs]);
        process.WaitForLine("recording", TimeSpan.FromSeconds(60));
        return new RecorderRun(db, process);
    }

    public string Output => _process.Output;
    public int Pid => _process.Pid;

    /// <summary>Ctrl-C, as a user would stop it; returns the exit code.</summary>
    public int Stop(int signal = SIGINT)
    {
        _process.Signal(signal);
        Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(30)), $"record did not stop on signal {signal}:\n" + Output);
        return _process.ExitCode;
    }

    /// <summary>For a recording with --duration: waits for it to end by itself.</summary>
    public int WaitForExit(TimeSpan limit)
    {
        Assert.True(_process.WaitForExit(limit), "record did not end by itself:\n" + Output);
        return _process.ExitCode;
    }

    public void Kill()
    {
        _process.Signal(SIGKILL);
        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    public void Dispose() => _process.Dispose();
}

/// <summary>Runs `analyze` and parses its JSON lines.</summary>
internal static class Analyze
{
    public static List<JsonElement> SlowestJson(string db, int count = 100000) => Json(db, "--slowest", count.ToString());

    /// <summary>`analyze DB show ID --json`: one exchange with its headers and bodies.</summary>
    public static JsonElement ShowJson(string db, long id) => Assert.Single(Json(db, "show", id.ToString()));

    /// <summary>`analyze DB --list --json EXTRA…`: every exchange that passes, in id order.</summary>
    public static List<JsonElement> ListJson(string db, params string[] extra) => Json(db, ["--list", .. extra]);

    private static List<JsonElement> Json(string db, params string[] question) =>
        Output(db, [.. question, "--json"]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    /// <summary>What `analyze DB QUESTION…` prints; fails the test unless it exits 0.</summary>
    public static string Output(string db, params string[] question)
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [db, .. question]);
        Assert.True(result.ExitCode == 0, $"analyze {string.Join(' ', question)} failed ({result.ExitCode}): {result.Stderr}");
        return result.Stdout;
    }

    /// <summary>`analyze DB… --export-har HAR OPTIONS…`: the HAR's entries, and what it printed on stderr; fails the test unless it exits 0.</summary>
    public static (List<JsonElement> Entries, string Stderr) Har(string[] dbs, string har, params string[] options)
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [.. dbs, "--export-har", har, .. options]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(har));
        return (doc.RootElement.GetProperty("log").GetProperty("entries").EnumerateArray().Select(e => e.Clone()).ToList(), result.Stderr);
    }

    /// <summary>"side comm METHOD path status tls=…": one exchange as the HTTPS tests compare them.</summary>
    public static string DescribeTls(JsonElement e) =>
        $"{e.GetProperty("side").GetString()} {e.GetProperty("comm").GetString()} {e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()} {e.GetProperty("status")} tls={e.GetProperty("tls").GetBoolean()}";

    /// <summary>The exchanges of one test's server: the recorder sees the whole host.</summary>
    public static List<JsonElement> OnPort(IEnumerable<JsonElement> exchanges, int port) =>
        exchanges.Where(e => e.GetProperty("local").GetString()!.EndsWith($":{port}") || e.GetProperty("remote").GetString()!.EndsWith($":{port}")).ToList();
}
