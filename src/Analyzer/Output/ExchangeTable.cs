using System.Globalization;
using Capture.Analyzer.Exchanges;

namespace Capture.Analyzer.Output;

/// <summary>The table a person reads: time, duration, method, host+path, status, process, side.</summary>
internal static class ExchangeTable
{
    private const int UrlWidth = 60;

    public static void Write(TextWriter output, IReadOnlyList<Exchange> exchanges)
    {
        if (exchanges.Count == 0)
        {
            output.WriteLine("no exchanges");
            return;
        }
        output.WriteLine($"{"ID",6}  {"TIME (UTC)",-15}  {"DURATION ms",11}  {"METHOD",-7}  {"HOST+PATH",-UrlWidth}  {"STATUS",6}  {"PROCESS",-22}  {"SIDE",-6}  FLAGS");
        foreach (var e in exchanges)
        {
            // Cells are cut and padded by terminal columns, not string length (DisplayWidth): no {x,-N} alignment here.
            var url = TerminalText.Cell((e.Host ?? "") + (e.Path ?? ""), UrlWidth);
            var process = TerminalText.Cell(ProcessLabel.Of(e.Comm, e.Pid), 22);
            var method = TerminalText.Pad(TerminalText.Escape(e.Method ?? "-"), 7);
            output.WriteLine(
                $"{e.Id,6}  {e.Timestamp.UtcDateTime.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture),-15}  {e.DurationMs,11:F3}  " +
                $"{method}  {url}  {(e.Status?.ToString(CultureInfo.InvariantCulture) ?? "-"),6}  {process}  {e.Side,-6}  {string.Join(",", e.Flags)}");
        }
    }
}
