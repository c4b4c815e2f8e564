using System.Globalization;
using Dapper;

namespace Capture.Analyzer.Recording;

/// <summary>
/// Events the kernel's ring buffer dropped while recording (the drops table, one row per window with drops). Every
/// answer over such a recording is short of what happened: exchanges whose bytes fell in a hole are flagged gap, and
/// an exchange lost whole is not there to flag. The recorder said so when it stopped; the analyzer, run days later,
/// says it again, on stderr so that --json and --csv stay clean.
/// </summary>
internal static class DropReport
{
    /// <summary>One line for a recording with drops; null for one without.</summary>
    public static string? Describe(RecordingFile recording)
    {
        var (drops, first, last) = recording.Connection.QuerySingle<(long?, long?, long?)>(
            "SELECT sum(kernel_drops), min(window_start_ns), max(window_end_ns) FROM drops WHERE kernel_drops > 0");
        if (drops is not > 0) return null;
        string when = recording.Run.Window(first!.Value, last!.Value);
        return string.Create(CultureInfo.InvariantCulture, $"note: {recording.Path} lost {drops:N0} event{(drops == 1 ? "" : "s")} to kernel ring-buffer drops {when} UTC: ") +
               "exchanges with bytes in those holes are flagged gap, and some may be missing (record with a larger --ring-buffer-mb, or narrow it)";
    }
}
