using System.CommandLine;
using Capture.Analyzer.Export;
using Capture.Analyzer.Output;
using Capture.Analyzer.Query;
using Capture.Analyzer.Recording;

namespace Capture.Analyzer.Cli;

/// <summary>`analyze`: questions asked of one or more recordings. Expected failures are one line on stderr
/// and exit code 2 (usage) or 1 (the file); never a stack trace.</summary>
internal static class AnalyzeCommand
{
    public const int ExitOk = 0, ExitBadFile = 1, ExitUsage = 2;
    public const int DefaultSlowest = 10;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var databases = new Argument<string[]>("recording") { Description = "One or more .db files written by ./record, read as one", Arity = ArgumentArity.OneOrMore };
        var slowest = new Option<int?>("--slowest") { Description = $"The N slowest exchanges (default {DefaultSlowest}); the question asked when none is given", Arity = ArgumentArity.ZeroOrOne };
        var errors = new Option<bool>("--errors") { Description = "Exchanges that failed: 4xx/5xx, HTTP/2 resets and GOAWAYs, gRPC non-OK, incomplete, malformed" };
        var list = new Option<bool>("--list") { Description = "Every exchange, in id order" };
        var stats = new Option<bool>("--stats") { Description = "Per endpoint (method, host, path template): count, error rate, p50/p90/p99/max duration, bytes" };
        var by = new Option<string?>("--by") { Description = "The same figures per process, host, connection or status" };
        var show = new Option<long?>("--show") { Description = "One exchange in full (also: `analyze RUN.db show ID`)" };
        var compare = new Option<bool>("--compare") { Description = "Per-endpoint latency and error changes from the first recording to the second: the biggest p50 slowdown first, then new and vanished endpoints" };
        var har = new Option<string?>("--export-har") { Description = "Write the exchanges as HAR 1.2 to FILE (devtools import it)" };
        var where = new Option<string[]>("--where") { Description = "Keep exchanges where FIELD OP VALUE (repeatable; e.g. status>=500, path=/api/*, comm=nginx, duration>100); with --export-pcapng, the connections with such an exchange, cut to since/until" };
        var limit = new Option<int?>("--limit") { Description = "At most N rows" };
        var json = new Option<bool>("--json") { Description = "JSON lines for scripts instead of a table (fields: docs/json.md)" };
        var csv = new Option<bool>("--csv") { Description = "CSV with a header row instead of a table" };
        var root = new RootCommand("Answer questions about Capture recordings: the slowest calls, what failed, latency per endpoint, one exchange in full.")
        {
            databases, slowest, errors, list, stats, by, show, compare, har, where, limit, json, csv,
        };
        var export = new ExportOptions();
        foreach (var option in export.All) root.Options.Add(option);
        var limits = new LimitOptions();
        foreach (var option in limits.All) root.Options.Add(option);

        root.SetAction(parsed =>
        {
            var files = parsed.GetValue(databases)!;
            // The recordings argument takes any word, so a mistyped option (--endpoints) would read as a file name.
            if (files.FirstOrDefault(f => f.StartsWith('-') && !File.Exists(f)) is { } unknown)
                return Fail(stderr, $"unknown option {unknown} (see --help)");
            ExchangeFilter filter;
            try { filter = ExchangeFilter.Parse(parsed.GetValue(where) ?? []); }
            catch (FilterException e) { return Fail(stderr, e.Message); }
            if (export.Stray(parsed) is { } stray) return Fail(stderr, stray);
            foreach (var (option, file) in new[] { ("--export-har", parsed.GetValue(har)), ("--export-pcapng", export.Output(parsed)) })
            {
                if (file is null) continue;
                if (string.IsNullOrWhiteSpace(file)) return Fail(stderr, $"{option} needs a file name");
                if (Directory.Exists(file)) return Fail(stderr, $"{option} {file} is a directory: give a file name in it");
            }
            int count = parsed.GetValue(slowest) ?? DefaultSlowest;
            if (count <= 0) return Fail(stderr, "--slowest takes a positive count");
            if (parsed.GetValue(limit) is <= 0) return Fail(stderr, "--limit takes a positive count");
            var asked = new[] { parsed.GetResult(slowest) is not null, parsed.GetValue(errors), parsed.GetValue(list), parsed.GetValue(stats),
                                parsed.GetValue(by) is not null, parsed.GetValue(show) is not null, parsed.GetValue(compare), parsed.GetValue(har) is not null,
                                export.Requested(parsed) };
            if (asked.Count(a => a) > 1)
                return Fail(stderr, "ask one question at a time: --slowest, --errors, --list, --stats, --by, show, --compare, --export-har or --export-pcapng");
            if (export.Requested(parsed))
            {
                // A pcapng holds whole connections, in no table's order or format: these would be ignored without a word.
                foreach (var (option, given) in new[] { ("--limit", parsed.GetValue(limit) is not null), ("--json", parsed.GetValue(json)), ("--csv", parsed.GetValue(csv)) })
                    if (given) return Fail(stderr, $"{option} does not apply to --export-pcapng (it writes every packet of the connections --where keeps)");
                return files.Length == 1 ? export.Run(parsed, files[0], filter, stdout, stderr) : Fail(stderr, "--export-pcapng takes one recording");
            }
            if (parsed.GetValue(by) is { } dimensionName && !Grouping.By.ContainsKey(dimensionName))
                return Fail(stderr, $"--by takes {string.Join(", ", Grouping.By.Keys.SkipLast(1))} or {Grouping.By.Keys.Last()}, not '{dimensionName}'");
            if (parsed.GetValue(json) && parsed.GetValue(csv)) return Fail(stderr, "choose --json or --csv, not both");
            if (parsed.GetValue(compare) && files.Length != 2) return Fail(stderr, "--compare takes exactly two recordings: analyze BEFORE.db AFTER.db --compare");
            var format = parsed.GetValue(json) ? OutputFormat.Json : parsed.GetValue(csv) ? OutputFormat.Csv : OutputFormat.Table;

            var (parserLimits, limitError) = limits.Read(parsed);
            if (limitError is not null) return Fail(stderr, limitError);

            var recordings = new List<RecordingFile>();
            try
            {
                foreach (var file in files) recordings.Add(RecordingFile.Open(file));
                foreach (var recording in recordings)
                {
                    if (DropReport.Describe(recording) is { } note) stderr.WriteLine($"analyze: {note}");
                    if (ShedReport.Describe(recording) is { } shed) stderr.WriteLine($"analyze: {shed}");
                }
                var questions = new Questions(recordings, filter, format, parsed.GetValue(limit), stdout, parserLimits!);
                if (parsed.GetValue(errors)) questions.Errors();
                else if (parsed.GetValue(list)) questions.List();
                else if (parsed.GetValue(stats)) questions.Stats();
                else if (parsed.GetValue(by) is { } dimension) questions.By(Grouping.By[dimension]);
                else if (parsed.GetValue(compare)) questions.Compare();
                else if (parsed.GetValue(show) is { } id)
                {
                    if (!questions.Show(id)) { stderr.WriteLine($"analyze: no exchange {id} (ids are in --list)"); return ExitUsage; }
                }
                else if (parsed.GetValue(har) is { } harPath)
                {
                    HarWriter.Result result;
                    try { result = questions.ExportHar(harPath); }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        stderr.WriteLine($"analyze: cannot write {harPath}: {e.Message}");
                        return ExitBadFile;
                    }
                    stderr.WriteLine($"wrote {result.Written} exchanges to {harPath}" + (result.LeftOutCount == 0 ? "" :
                        $" ({result.LeftOutCount} exchange{(result.LeftOutCount == 1 ? "" : "s")} left out, as a HAR entry needs a request's method and URL: " +
                        string.Join(", ", result.LeftOut.Select(r => $"{r.Count} {r.Why}")) + ")"));
                }
                else questions.Slowest(count);
                return ExitOk;
            }
            finally
            {
                foreach (var recording in recordings) recording.Dispose();
            }
        });

        var result = root.Parse(ShowWordAsOption(args, root));
        if (result.Errors.Count > 0) return Fail(stderr, Capture.Common.ParseErrorText.Describe(result.Errors[0], limits.Takes) + " (see --help)");
        try
        {
            return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (RecordingFileException e)
        {
            stderr.WriteLine($"analyze: {e.Message}");
            return ExitBadFile;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            stderr.WriteLine($"analyze: the recording could not be read: {e.Message.ReplaceLineEndings(" ")}");
            return ExitBadFile;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"analyze: {e.Message}");
            return ExitBadFile;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine($"analyze: unexpected failure: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} (set CAPTURE_DEBUG=1 for details)");
            if (Environment.GetEnvironmentVariable("CAPTURE_DEBUG") == "1") stderr.WriteLine(e);
            return ExitBadFile;
        }
    }

    /// <summary>`analyze RUN.db show 42` reads as `--show 42`; not where "show" is an option's value
    /// (`--export-har show`, `--by show`), which stays that value.</summary>
    private static string[] ShowWordAsOption(string[] args, RootCommand root)
    {
        var result = args.ToArray();
        for (int i = 0; i + 1 < result.Length; i++)
            // Not a number either: as --show it gets the parser's own one-line complaint, not "show: no such file".
            if (result[i] == "show" && !File.Exists("show") && !(i > 0 && TakesValue(root, args[i - 1]))) result[i] = "--show";
        return result;
    }

    private static bool TakesValue(RootCommand root, string word) =>
        root.Options.FirstOrDefault(o => o.Name == word || o.Aliases.Contains(word)) is { } option &&
        option.ValueType != typeof(bool) && option.Arity.MaximumNumberOfValues > 0;

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"analyze: {message}");
        return ExitUsage;
    }
}
