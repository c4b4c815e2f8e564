using System.Globalization;

namespace Capture.Analyzer.Recording;

/// <summary>
/// Calls the kernel cut to their first KiB while the ring buffer was nearly full (run_info shed_calls; chunks.flags 8),
/// where it would otherwise have dropped whole events. Their exchanges keep heads, sizes and timings and are
/// flagged truncated; their bodies are partial. Said on stderr, like <see cref="DropReport"/>, so that --json and --csv
/// stay clean.
/// </summary>
internal static class ShedReport
{
    /// <summary>One line for a recording that shed load; null for one that did not (or whose recorder was killed
    /// before it wrote its totals).</summary>
    public static string? Describe(RecordingFile recording)
    {
        var info = recording.Run.All;
        if (!long.TryParse(info.GetValueOrDefault("shed_calls"), out long calls) || calls <= 0) return null;
        string when = "";
        if (long.TryParse(info.GetValueOrDefault("shed_first_ns"), out long first) && long.TryParse(info.GetValueOrDefault("shed_last_ns"), out long last))
            when = $" {recording.Run.Window(first, last)} UTC";
        return string.Create(CultureInfo.InvariantCulture,
            $"note: {recording.Path} kept only the first KiB of {calls:N0} call{(calls == 1 ? "" : "s")} while the recorder was behind{when}: ") +
            "those exchanges are flagged truncated, their bodies partial (record with --pid/--comm/--port to record less)";
    }
}
