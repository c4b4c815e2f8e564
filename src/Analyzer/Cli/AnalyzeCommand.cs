using System.CommandLine;
using Capture.Analyzer.Exchanges;
using Capture.Analyzer.Export;
using Capture.Analyzer.Output;
using Capture.Analyzer.Recording;

namespace Capture.Analyzer.Cli;

/// <summary>`analyze`: questions asked of a recording. Expected failures are one line on stderr
/// and exit code 2 (usage) or 1 (the file); never a stack trace.</summary>
internal static class AnalyzeCommand
{
    public const int ExitOk = 0, ExitBadFile = 1, ExitUsage = 2;
    public const int DefaultSlowest = 10;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var database = new Argument<string>("recording") { Description = "A .db file written by ./record" };
        var slowest = new Option<int?>("--slowest") { Description = $"The N slowest exchanges (default {DefaultSlowest})", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "JSON lines for scripts instead of a table (fields: docs/json.md)" };
        var root = new RootCommand("Answer questions about a Capture recording: which HTTP exchanges were slowest, by which process.")
        {
            database, slowest, json,
        };
        var export = new ExportOptions();
        foreach (var option in export.All) root.Options.Add(option);
        root.SetAction(parsed =>
        {
            if (export.Requested(parsed)) return export.Run(parsed, parsed.GetValue(database)!, stdout, stderr);
            int count = parsed.GetValue(slowest) ?? DefaultSlowest;
            if (count <= 0) return Fail(stderr, "--slowest takes a positive count");
            using var recording = RecordingFile.Open(parsed.GetValue(database)!);
            var top = Slowest.Take(ExchangeSource.All(recording), count);
            if (parsed.GetValue(json)) ExchangeJson.Write(stdout, top);
            else ExchangeTable.Write(stdout, top);
            return ExitOk;
        });

        var result = root.Parse(args);
        if (result.Errors.Count > 0) return Fail(stderr, result.Errors[0].Message + " (see --help)");
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
            stderr.WriteLine($"analyze: the recording could not be read: {e.Message}");
            return ExitBadFile;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine($"analyze: unexpected failure: {e.GetType().Name}: {e.Message} (set CAPTURE_DEBUG=1 for details)");
            if (Environment.GetEnvironmentVariable("CAPTURE_DEBUG") == "1") stderr.WriteLine(e);
            return ExitBadFile;
        }
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"analyze: {message}");
        return ExitUsage;
    }
}
