using System.Globalization;
using Capture.Analyzer.Exchanges;

namespace Capture.Analyzer.Output;

/// <summary>RFC 4180 CSV with a header row; the columns are the `--json` fields of the same output. A text cell that
/// would start a spreadsheet formula has a quote mark before it (`--json` has every value as it was).</summary>
internal static class Csv
{
    public static readonly string[] ExchangeColumns =
    [
        "id", "ts", "duration_ms", "ttfb_ms", "method", "host", "path", "status", "pid", "comm", "side", "protocol", "tls",
        "req_bytes", "resp_bytes", "flags", "connection_id", "local", "remote", "stream_id", "grpc_status", "recording",
    ];

    public static void WriteExchanges(TextWriter output, IEnumerable<Exchange> exchanges)
    {
        WriteRow(output, ExchangeColumns);
        foreach (var e in exchanges)
            WriteRow(output,
            [
                Num(e.Id), ExchangeJson.Time(e.Timestamp), Num(Math.Round(e.DurationMs, 3)), e.TtfbMs is { } t ? Num(Math.Round(t, 3)) : "",
                e.Method ?? "", e.Host ?? "", e.Path ?? "", e.Status is { } s ? Num(s) : "", Num(e.Pid), e.Comm, e.Side, e.Protocol,
                e.Tls ? "true" : "false", Num(e.RequestBytes), Num(e.ResponseBytes), string.Join(' ', e.Flags), Num(e.ConnectionId),
                e.Local, e.Remote, e.StreamId is { } id ? Num(id) : "", e.Grpc?.Status is { } g ? Num(g) : "", e.Recording,
            ]);
    }

    public static void WriteRow(TextWriter output, IEnumerable<string> fields) =>
        output.WriteLine(string.Join(',', fields.Select(Escape)));

    public static string Num(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Escape(string field)
    {
        // Text from the traffic (a Host header, an HTTP/2 :path or :method) that a spreadsheet opening the file would
        // run as a formula is shown as text: a leading quote mark, as spreadsheets read it. Numbers keep their sign; not
        // "-Infinity" or "-NaN", which .NET parses but a spreadsheet reads as a formula naming nothing (#NAME?).
        if (field.Length > 1 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r' &&
            !(double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number)))
            field = "'" + field;
        return field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
    }
}
