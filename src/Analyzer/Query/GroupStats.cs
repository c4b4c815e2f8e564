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

/// <summary>What a summary row is keyed by: `--stats` endpoints and the `--by` dimensions. A request between two traced
/// processes on this host is two exchanges, the client's and the server's, with different durations: groups that can
/// hold both (endpoint, host, status) are kept apart by side, so a count is of requests and a p50 of one view. A process
/// or a connection is one side already. Hosts are keyed normalized (<see cref="NormalizedHost"/>), so that one server is
/// one row whichever way its clients spelled it.</summary>
internal sealed record Grouping(string Name, IReadOnlyList<string> Columns, Func<Exchange, string[]> Key)
{
    public const string SideColumn = "side";

    public static readonly Grouping Endpoint = new("endpoint", ["method", "host", "path", SideColumn],
        e => [e.Method ?? "-", NormalizedHost.Of(e) ?? "-", PathTemplate.Of(e.Path), e.Side]);

    public static readonly IReadOnlyDictionary<string, Grouping> By = new Dictionary<string, Grouping>
    {
        ["process"] = new("process", ["comm", "pid"], e => [e.Comm, e.Pid.ToString(CultureInfo.InvariantCulture)]),
        ["host"] = new("host", ["host", SideColumn], e => [NormalizedHost.Of(e) ?? "-", e.Side]),
        ["connection"] = new("connection", ["connection_id", "local", "remote", "comm"],
            e => [e.ConnectionLabel, e.Local, e.Remote, e.Comm]),
        ["status"] = new("status", ["status", SideColumn], e => [e.Status?.ToString(CultureInfo.InvariantCulture) ?? "-", e.Side]),
    };

    /// <summary>Whether the last key value is the side, shown in a column of its own.</summary>
    public bool BySide => Columns[^1] == SideColumn;
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
            string identity = Identity(key);
            if (!groups.TryGetValue(identity, out var group)) groups[identity] = group = (key, new GroupAggregate());
            group.Figures.Add(e);
        }
        return groups.Values
            .OrderByDescending(g => g.Figures.Count)
            .ThenBy(g => string.Join(' ', g.Key), StringComparer.Ordinal)
            .Select(g => new StatsRow(g.Key, g.Figures))
            .ToList();
    }

    /// <summary>One string per key, a different one for every different key: each value with its length before it. A
    /// separator character would not do: an HTTP/2 :authority or :path may hold any octet, so host "a␁b" with path "/" and
    /// host "a" with path "b␁/" joined by ␁ are the same string, and two endpoints would be counted as one row.</summary>
    public static string Identity(IReadOnlyList<string> key) =>
        string.Concat(key.Select(value => string.Create(CultureInfo.InvariantCulture, $"{value.Length}:{value}")));
}
