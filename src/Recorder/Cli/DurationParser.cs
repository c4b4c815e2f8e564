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
        foreach (Match m in PartPattern().Matches(trimmed))
        {
            var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            duration += m.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                _ => TimeSpan.FromHours(value),
            };
        }
        if (duration <= TimeSpan.Zero)
        {
            error = $"'{text}' is not a positive duration";
            return false;
        }
        return true;
    }

    [GeneratedRegex(@"^(\d+(\.\d+)?(ms|s|m|h))+$")]
    private static partial Regex WholePattern();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h)")]
    private static partial Regex PartPattern();
}
