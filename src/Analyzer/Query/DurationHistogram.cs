namespace Capture.Analyzer.Query;

/// <summary>
/// Percentiles of durations in bounded memory: log-spaced buckets 1% wide from 1 µs up, so a percentile
/// is within 1% of the true value whatever the number of exchanges (the exact maximum is kept too).
/// </summary>
internal sealed class DurationHistogram
{
    private const double Growth = 1.01;
    private const double SmallestMs = 0.001;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly Dictionary<int, long> _buckets = [];

    public long Count { get; private set; }
    public double MaxMs { get; private set; }

    public void Add(double ms)
    {
        Count++;
        if (ms > MaxMs) MaxMs = ms;
        int bucket = ms <= SmallestMs ? 0 : 1 + (int)(Math.Log(ms / SmallestMs) / LogGrowth);
        _buckets[bucket] = _buckets.GetValueOrDefault(bucket) + 1;
    }

    public void Merge(DurationHistogram other)
    {
        Count += other.Count;
        MaxMs = Math.Max(MaxMs, other.MaxMs);
        foreach (var (bucket, n) in other._buckets) _buckets[bucket] = _buckets.GetValueOrDefault(bucket) + n;
    }

    /// <summary>The duration below which <paramref name="quantile"/> of the exchanges fall (nearest rank).</summary>
    public double Percentile(double quantile)
    {
        if (Count == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        long seen = 0;
        foreach (var bucket in _buckets.Keys.Order())
        {
            seen += _buckets[bucket];
            if (seen >= rank) return Math.Min(MaxMs, UpperBound(bucket));
        }
        return MaxMs;
    }

    private static double UpperBound(int bucket) => bucket == 0 ? SmallestMs : SmallestMs * Math.Pow(Growth, bucket);
}
