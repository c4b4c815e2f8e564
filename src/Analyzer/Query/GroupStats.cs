using System.Globalization;
using Capture.Analyzer.Exchanges;

namespace Capture.Analyzer.Query;

/// <summary>One group of exchanges (an endpoint, a process, a host...) summed up.</summary>
internal sealed class GroupAggregate
{
    public DurationHistogram Durations { get; } = new();
    public long Errors { get; private set; }
    public long RequestBytes { get; private set; }
    public long ResponseBytes { get; private set; }
    public long Count => Durations.Count;
    public double ErrorRate => Count == 0 ? 0 : (double)Errors / Count;

    public void Add(Exchange e)
    {
        Durations.Add(e.DurationMs);
        if (e.IsError) Errors++;
        RequestBytes += e.RequestBytes;
        ResponseBytes += e.ResponseBytes;
    }
}

/// <summary>What a summary row is keyed by: `--stats` endpoints and the `--by` dimensions. Hosts are keyed normalized
/// (<see cref="NormalizedHost"/>), so that one server is one row whichever way its clients spelled it.</summary>
internal sealed record Grouping(string Name, IReadOnlyList<string> Columns, Func<Exchange, string[]> Key)
{
    public static readonly Grouping Endpoint = new("endpoint", ["method", "host", "path"],
        e => [e.Method ?? "-", NormalizedHost.Of(e) ?? "-", PathTemplate.Of(e.Path)]);

    public static readonly IReadOnlyDictionary<string, Grouping> By = new Dictionary<string, Grouping>
    {
        ["process"] = new("process", ["comm", "pid"], e => [e.Comm, e.Pid.ToString(CultureInfo.InvariantCulture)]),
        ["host"] = new("host", ["host"], e => [NormalizedHost.Of(e) ?? "-"]),
        ["connection"] = new("connection", ["connection_id", "local", "remote", "comm"],
            e => [e.ConnectionLabel, e.Local, e.Remote, e.Comm]),
        ["status"] = new("status", ["status"], e => [e.Status?.ToString(CultureInfo.InvariantCulture) ?? "-"]),
    };
}

/// <summary>A finished row: the key's values and the group's figures.</summary>
internal sealed record StatsRow(IReadOnlyList<string> Key, GroupAggregate Figures);

/// <summary>Groups exchanges; memory grows with the number of groups, not of exchanges.</summary>
internal static class GroupStats
{
    public static List<StatsRow> Compute(IEnumerable<Exchange> exchanges, Grouping grouping)
    {
        var groups = new Dictionary<string, (string[] Key, GroupAggregate Figures)>();
        foreach (var e in exchanges)
        {
            var key = grouping.Key(e);
            string joined = string.Join('\u0001', key);
            if (!groups.TryGetValue(joined, out var group)) groups[joined] = group = (key, new GroupAggregate());
            group.Figures.Add(e);
        }
        return groups.Values
            .OrderByDescending(g => g.Figures.Count)
            .ThenBy(g => string.Join(' ', g.Key), StringComparer.Ordinal)
            .Select(g => new StatsRow(g.Key, g.Figures))
            .ToList();
    }
}
