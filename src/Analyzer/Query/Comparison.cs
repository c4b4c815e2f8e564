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

    /// <summary>Relative change of the p50 for an endpoint in both recordings; 0 for a new or vanished one, which has none.</summary>
    public double P50Change => Before is null || After is null ? 0
        : (After.Durations.Percentile(0.5) - Before.Durations.Percentile(0.5)) / Math.Max(0.001, Before.Durations.Percentile(0.5));

    /// <summary>Where the row goes: endpoints in both recordings (the ones a change can be measured for), then new, then vanished.</summary>
    public int Section => (Before, After) switch
    {
        (not null, not null) => 0,
        (null, _) => 1,
        _ => 2,
    };
}

/// <summary>`--compare A B`: per endpoint (method, host, path template), latency and error changes. The rows answer "what
/// got slower": the endpoints in both recordings first, the biggest p50 increase at the top; then new endpoints, then
/// vanished ones, the busiest first. Those have no change to rank by: ranked as the largest, they would push the worst
/// regression down the screen and out of what --limit keeps.</summary>
internal static class Comparison
{
    public static List<ComparisonRow> Compute(IEnumerable<Exchange> before, IEnumerable<Exchange> after)
    {
        var a = GroupStats.Compute(before, Grouping.Endpoint).ToDictionary(r => GroupStats.Identity(r.Key));
        var b = GroupStats.Compute(after, Grouping.Endpoint).ToDictionary(r => GroupStats.Identity(r.Key));
        return a.Keys.Union(b.Keys)
            .Select(k => new ComparisonRow((a.GetValueOrDefault(k) ?? b[k]).Key, a.GetValueOrDefault(k)?.Figures, b.GetValueOrDefault(k)?.Figures))
            .OrderBy(r => r.Section)
            .ThenByDescending(r => r.P50Change)
            .ThenByDescending(r => (r.After ?? r.Before)!.Count)
            .ThenBy(r => string.Join(' ', r.Key), StringComparer.Ordinal)
            .ToList();
    }
}
