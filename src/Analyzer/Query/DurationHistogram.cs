namespace Capture.Analyzer.Query;

/// <summary>
/// Percentiles of durations in bounded memory: exact while a group holds at most <see cref="ExactUpTo"/>
/// exchanges; beyond that, log-spaced buckets 1% wide from 1 µs up, so a percentile is within 1% of the
/// true value whatever the number of exchanges (the exact maximum is kept too).
/// </summary>
internal sealed class DurationHistogram
{
    private const double Growth = 1.01;
    private const double SmallestMs = 0.001;
    private static readonly double LogGrowth = Math.Log(Growth);
    public const int ExactUpTo = 4096;
    private readonly Dictionary<int, long> _buckets = [];
    private List<double>? _exact = [];

    public long Count { get; private set; }
    public double MaxMs { get; private set; }

    public void Add(double ms)
    {
        Count++;
        MaxMs = Math.Max(MaxMs, ms);
        if (_exact is not null)
        {
            if (_exact.Count < ExactUpTo)
            {
                _exact.Add(ms);
                return;
            }
            // Too many to keep: from now on every duration, those kept included, is counted in the buckets.
            foreach (var kept in _exact) AddToBucket(kept);
            _exact = null;
        }
        AddToBucket(ms);
    }

    private void AddToBucket(double ms)
    {
        int bucket = ms <= SmallestMs ? 0 : 1 + (int)(Math.Log(ms / SmallestMs) / LogGrowth);
        _buckets[bucket] = _buckets.GetValueOrDefault(bucket) + 1;
    }

    /// <summary>The duration below which <paramref name="quantile"/> of the exchanges fall (nearest rank).</summary>
    public double Percentile(double quantile)
    {
        if (Count == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        if (_exact is not null)
        {
            _exact.Sort();
            return _exact[(int)rank - 1];
        }
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
