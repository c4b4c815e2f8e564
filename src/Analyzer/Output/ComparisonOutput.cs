using System.Globalization;
using Capture.Analyzer.Query;

namespace Capture.Analyzer.Output;

/// <summary>`--compare` rows as a table, JSON lines or CSV.</summary>
internal static class ComparisonOutput
{
    private static readonly string[] Columns =
        ["method", "host", "path", "side", "change", "count_a", "count_b", "p50_ms_a", "p50_ms_b", "p99_ms_a", "p99_ms_b", "error_rate_a", "error_rate_b"];

    private static string[] Values(ComparisonRow r) =>
    [
        .. r.Key, r.Change, Count(r.Before), Count(r.After),
        Ms(r.Before, 0.5), Ms(r.After, 0.5), Ms(r.Before, 0.99), Ms(r.After, 0.99), Rate(r.Before), Rate(r.After),
    ];

    private static string Count(GroupAggregate? f) => f is null ? "" : Csv.Num(f.Count);
    private static string Ms(GroupAggregate? f, double q) => f is null ? "" : Csv.Num(Math.Round(f.Durations.Percentile(q), 3));
    private static string Rate(GroupAggregate? f) => f is null ? "" : Csv.Num(Math.Round(f.ErrorRate, 4));

    public static void Write(TextWriter output, OutputFormat format, IReadOnlyList<ComparisonRow> rows, string nameA, string nameB)
    {
        if (format == OutputFormat.Csv)
        {
            Csv.WriteRow(output, Columns);
            foreach (var row in rows) Csv.WriteRow(output, Values(row));
            return;
        }
        if (format == OutputFormat.Json)
        {
            var lines = new JsonLines(output);
            foreach (var row in rows)
                lines.Write(json =>
                {
                    var values = Values(row);
                    for (int i = 0; i < Columns.Length; i++)
                    {
                        if (i < 5) json.WriteString(Columns[i], values[i]);
                        else if (values[i].Length == 0) json.WriteNull(Columns[i]);
                        else json.WriteNumber(Columns[i], double.Parse(values[i], CultureInfo.InvariantCulture));
                    }
                });
            return;
        }
        output.WriteLine($"A = {nameA}");
        output.WriteLine($"B = {nameB}");
        if (rows.Count == 0)
        {
            output.WriteLine("no exchanges");
            return;
        }
        var keys = rows.Select(r => TerminalText.Escape($"{r.Key[0]} {r.Key[1]}{r.Key[2]}")).ToList();
        int width = Math.Clamp(keys.Max(DisplayWidth.Of), 10, 60);
        output.WriteLine($"{"METHOD HOST+PATH".PadRight(width)}  {"SIDE",-6}  {"CHANGE",-8}  {"COUNT A",7}  {"COUNT B",7}  {"P50 A ms",9}  {"P50 B ms",9}  {"P99 A ms",9}  {"P99 B ms",9}  {"ERR% A",6}  {"ERR% B",6}");
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            string key = TerminalText.Cell(keys[i], width);
            string change = r.Change.Length > 0 ? r.Change : Percent(r.P50Change);
            output.WriteLine($"{key}  {r.Key[3],-6}  {change,-8}  {Count(r.Before),7}  {Count(r.After),7}  {Ms(r.Before, 0.5),9}  {Ms(r.After, 0.5),9}  {Ms(r.Before, 0.99),9}  {Ms(r.After, 0.99),9}  {Pct(r.Before),6}  {Pct(r.After),6}");
        }
    }

    private static string Percent(double change) => (change >= 0 ? "+" : "") + (change * 100).ToString("F0", CultureInfo.InvariantCulture) + "%";
    private static string Pct(GroupAggregate? f) => f is null ? "" : (f.ErrorRate * 100).ToString("F1", CultureInfo.InvariantCulture);
}
