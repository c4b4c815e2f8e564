namespace Capture.Analyzer.Exchanges;

/// <summary>The N slowest exchanges, keeping only N in memory however large the recording.</summary>
internal static class Slowest
{
    public static List<Exchange> Take(IEnumerable<Exchange> exchanges, int count)
    {
        var heap = new PriorityQueue<Exchange, (double, long)>();
        foreach (var e in exchanges)
        {
            // Ties go to the earlier exchange: the smallest (duration, -id) is evicted first.
            heap.Enqueue(e, (e.DurationMs, -e.Id));
            if (heap.Count > count) heap.Dequeue();
        }
        var result = new List<Exchange>(heap.Count);
        while (heap.Count > 0) result.Add(heap.Dequeue());
        result.Reverse();
        return result;
    }
}
