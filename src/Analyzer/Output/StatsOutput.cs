using System.Globalization;
using System.Text.Json;
using Capture.Analyzer.Query;

namespace Capture.Analyzer.Output;

/// <summary>`--stats` and `--by` rows as a table, JSON lines or CSV. Durations in ms; percentiles are
/// within 1% (see <see cref="DurationHistogram"/>).</summary>
internal static class StatsOutput
{
    private static readonly string[] FigureColumns = ["count", "errors", "error_rate", "p50_ms", "p90_ms", "p99_ms", "max_ms", "req_bytes", "resp_bytes"];

    private static string[] Figures(GroupAggregate f) =>
    [
        Csv.Num(f.Count), Csv.Num(f.Errors), Csv.Num(Math.Round(f.ErrorRate, 4)),
        Csv.Num(Math.Round(f.Durations.Percentile(0.50), 3)), Csv.Num(Math.Round(f.Durations.Percentile(0.90), 3)),
        Csv.Num(Math.Round(f.Durations.Percentile(0.99), 3)), Csv.Num(Math.Round(f.Durations.MaxMs, 3)),
        Csv.Num(f.RequestBytes), Csv.Num(f.ResponseBytes),
    ];

    public static void Write(TextWriter output, OutputFormat format, Grouping grouping, IReadOnlyList<StatsRow> rows)
    {
        switch (format)
        {
            case OutputFormat.Csv:
                Csv.WriteRow(output, grouping.Columns.Concat(FigureColumns));
                foreach (var row in rows) Csv.WriteRow(output, row.Key.Concat(Figures(row.Figures)));
                break;
            case OutputFormat.Json:
                var lines = new JsonLines(output);
                foreach (var row in rows) lines.Write(json => WriteFields(json, grouping, row));
                break;
            default:
                Table(output, grouping, rows);
                break;
        }
    }

    private static void WriteFields(Utf8JsonWriter json, Grouping grouping, StatsRow row)
    {
        for (int i = 0; i < grouping.Columns.Count; i++) json.WriteString(grouping.Columns[i], row.Key[i]);
        var f = row.Figures;
        json.WriteNumber("count", f.Count);
        json.WriteNumber("errors", f.Errors);
        json.WriteNumber("error_rate", Math.Round(f.ErrorRate, 4));
        json.WriteNumber("p50_ms", Math.Round(f.Durations.Percentile(0.50), 3));
        json.WriteNumber("p90_ms", Math.Round(f.Durations.Percentile(0.90), 3));
        json.WriteNumber("p99_ms", Math.Round(f.Durations.Percentile(0.99), 3));
        json.WriteNumber("max_ms", Math.Round(f.Durations.MaxMs, 3));
        json.WriteNumber("req_bytes", f.RequestBytes);
        json.WriteNumber("resp_bytes", f.ResponseBytes);
    }

    private static void Table(TextWriter output, Grouping grouping, IReadOnlyList<StatsRow> rows)
    {
        if (rows.Count == 0)
        {
            output.WriteLine("no exchanges");
            return;
        }
        var keyText = rows.Select(r => TerminalText.Escape(KeyText(grouping, r.Key))).ToList();
        int keyWidth = Math.Clamp(keyText.Max(DisplayWidth.Of), 10, 70);
        var keyColumns = grouping.BySide ? grouping.Columns.SkipLast(1) : grouping.Columns;
        string header = grouping.Name == "endpoint" ? "METHOD HOST+PATH" : string.Join(' ', keyColumns).ToUpperInvariant();
        string sideHeader = grouping.BySide ? $"  {"SIDE",-6}" : "";
        output.WriteLine($"{header.PadRight(keyWidth)}{sideHeader}  {"COUNT",7}  {"ERRORS",6}  {"ERR%",6}  {"P50 ms",9}  {"P90 ms",9}  {"P99 ms",9}  {"MAX ms",9}  {"REQ B",10}  {"RESP B",10}");
        for (int i = 0; i < rows.Count; i++)
        {
            var f = rows[i].Figures;
            string key = TerminalText.Pad(TerminalText.Fit(keyText[i], keyWidth), keyWidth);
            string side = grouping.BySide ? $"  {rows[i].Key[^1],-6}" : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{key}{side}  {f.Count,7}  {f.Errors,6}  {f.ErrorRate * 100,6:F1}  {f.Durations.Percentile(0.5),9:F3}  {f.Durations.Percentile(0.9),9:F3}  {f.Durations.Percentile(0.99),9:F3}  {f.Durations.MaxMs,9:F3}  {f.RequestBytes,10}  {f.ResponseBytes,10}"));
        }
    }

    private static string KeyText(Grouping grouping, IReadOnlyList<string> key) => grouping.Name switch
    {
        "endpoint" => $"{key[0]} {key[1]}{key[2]}",
        "process" => ProcessLabel.Of(key[0], long.Parse(key[1], CultureInfo.InvariantCulture)),
        "connection" => $"{key[0]} {key[1]} -> {key[2]} {ProcessLabel.Name(key[3])}",
        _ => string.Join(' ', grouping.BySide ? key.SkipLast(1) : key),
    };
}

internal enum OutputFormat { Table, Json, Csv }
