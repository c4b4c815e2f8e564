using System.Globalization;
using System.Text.RegularExpressions;

namespace Capture.Recorder.Cli;

/// <summary>Parses "500ms", "30s", "2m", "1h", and sums like "1m30s".</summary>
internal static partial class DurationParser
{
    public static bool TryParse(string text, out TimeSpan duration, out string? error)
    {
        duration = TimeSpan.Zero;
        error = null;
        var trimmed = text.Trim();
        if (trimmed.Length == 0 || !WholePattern().IsMatch(trimmed))
        {
            error = $"'{text}' is not a duration: use a number with a unit, like 500ms, 30s, 2m or 1h";
            return false;
        }
        double seconds = 0;
        foreach (Match m in PartPattern().Matches(trimmed))
        {
            var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            seconds += value * m.Groups[2].Value switch { "ms" => 0.001, "s" => 1, "m" => 60, _ => 3600 };
        }
        // Summed as seconds first: a TimeSpan past about 29,000 years throws instead of saying so.
        if (seconds > MaxDuration.TotalSeconds)
        {
            error = $"'{text}' is longer than a recording can run (at most {MaxDuration.TotalDays:0} days)";
            return false;
        }
        duration = TimeSpan.FromSeconds(seconds);
        if (duration <= TimeSpan.Zero)
        {
            error = $"'{text}' is not a positive duration";
            return false;
        }
        return true;
    }

    /// <summary>A duration as the user would have written it ("1h30m", "1.5s", "500ms"); TimeSpan's own form,
    /// "00:00:01.5000000", is not one <see cref="TryParse"/> takes.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1)) return $"{duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms";
        long hours = (long)duration.TotalHours;
        int minutes = duration.Minutes;
        double seconds = duration.TotalSeconds - hours * 3600 - minutes * 60;
        var text = (hours > 0 ? $"{hours}h" : "") + (minutes > 0 ? $"{minutes}m" : "");
        return seconds > 0.0005 || text.Length == 0 ? text + $"{seconds.ToString("0.###", CultureInfo.InvariantCulture)}s" : text;
    }

    /// <summary>A year: far beyond any recording, and far inside what a TimeSpan and a timer can hold.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(365);

    [GeneratedRegex(@"^(\d+(\.\d+)?(ms|s|m|h))+$")]
    private static partial Regex WholePattern();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h)")]
    private static partial Regex PartPattern();
}
