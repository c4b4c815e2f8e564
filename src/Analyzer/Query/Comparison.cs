using Capture.Analyzer.Exchanges;

namespace Capture.Analyzer.Query;

/// <summary>One endpoint before (A) and after (B): either side is null when the endpoint is new or vanished.</summary>
internal sealed record ComparisonRow(IReadOnlyList<string> Key, GroupAggregate? Before, GroupAggregate? After)
{
    public string Change => (Before, After) switch
    {
        (null, _) => "new",
        (_, null) => "vanished",
        _ => "",
    };

    /// <summary>Relative change of the p50, for ordering: the endpoints that got slowest come first.</summary>
    public double P50Change => Before is null || After is null ? double.PositiveInfinity
        : (After.Durations.Percentile(0.5) - Before.Durations.Percentile(0.5)) / Math.Max(0.001, Before.Durations.Percentile(0.5));
}

/// <summary>`--compare A B`: per endpoint (method, host, path template), latency and error changes.</summary>
internal static class Comparison
{
    public static List<ComparisonRow> Compute(IEnumerable<Exchange> before, IEnumerable<Exchange> after)
    {
        var a = GroupStats.Compute(before, Grouping.Endpoint).ToDictionary(r => string.Join('\u0001', r.Key));
        var b = GroupStats.Compute(after, Grouping.Endpoint).ToDictionary(r => string.Join('\u0001', r.Key));
        return a.Keys.Union(b.Keys)
            .Select(k => new ComparisonRow((a.GetValueOrDefault(k) ?? b[k]).Key, a.GetValueOrDefault(k)?.Figures, b.GetValueOrDefault(k)?.Figures))
            .OrderByDescending(r => r.P50Change)
            .ThenBy(r => string.Join(' ', r.Key), StringComparer.Ordinal)
            .ToList();
    }
}
