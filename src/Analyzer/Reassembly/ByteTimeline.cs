namespace Capture.Analyzer.Reassembly;

/// <summary>When each byte of one direction's stream was moved, and which ranges are missing
/// (lost to drops, or never captured: truncated calls, sendfile). Offsets are stream positions less the bytes
/// elided before them, as the direction's parser counts them (see <see cref="DirectionStream"/>).</summary>
internal sealed class ByteTimeline
{
    private readonly List<long> _starts = [];
    private readonly List<long> _timestamps = [];
    private readonly List<long> _pids = [];
    private readonly List<(long Start, long End, bool Truncated)> _missing = [];
    /// <summary>Where elided ranges sat, in this timeline's offsets, and how many stream positions each took.</summary>
    private readonly List<(long At, long Length)> _elided = [];

    public void AddChunk(long streamPos, long timestampNs, long pid)
    {
        _starts.Add(streamPos);
        _timestamps.Add(timestampNs);
        _pids.Add(pid);
    }

    /// <summary>No call of this direction was captured (nor do its close's counts mark bytes lost at its end).</summary>
    public bool HoldsNoChunk => _starts.Count == 0;

    public void AddMissing(long start, long end, bool truncated) => _missing.Add((start, end, truncated));

    public void AddElided(long at, long length) => _elided.Add((at, length));

    /// <summary>The stream position of <paramref name="offset"/>: the bytes elided at or before it put back, so an
    /// offset where an elided range sat names the byte after that range (elided bytes never reach a parser).</summary>
    public long StreamPosition(long offset)
    {
        long position = offset;
        foreach (var (at, length) in _elided)
        {
            if (at > offset) break;
            position += length;
        }
        return position;
    }

    /// <summary>Timestamp of the chunk holding byte <paramref name="offset"/> (or the nearest before it).</summary>
    public long? TimestampAt(long offset) => ChunkAt(offset) is int i ? _timestamps[i] : null;

    /// <summary>The process whose call moved byte <paramref name="offset"/> (or the nearest before it): a forking server's
    /// child, where the connection names the parent that accepted it.</summary>
    public long? PidAt(long offset) => ChunkAt(offset) is int i ? _pids[i] : null;

    /// <summary>The chunk holding byte <paramref name="offset"/>, or the nearest before it (the first, before any).</summary>
    private int? ChunkAt(long offset)
    {
        if (_starts.Count == 0) return null;
        int i = _starts.BinarySearch(offset);
        if (i < 0) i = ~i - 1;
        return Math.Clamp(i, 0, _starts.Count - 1);
    }

    /// <summary>Whether [start, end) lost bytes (gap) or had bytes left uncaptured (truncated).</summary>
    public (bool Gap, bool Truncated) MissingIn(long start, long end)
    {
        bool gap = false, truncated = false;
        foreach (var m in _missing)
        {
            if (m.End <= start || m.Start >= end) continue;
            if (m.Truncated) truncated = true; else gap = true;
        }
        return (gap, truncated);
    }

    /// <summary>Whether bytes moved at or after <paramref name="timestampNs"/> were left uncaptured (the per-call cap, sendfile).</summary>
    public bool UncapturedSince(long timestampNs)
    {
        foreach (var m in _missing)
            if (m.Truncated && TimestampAt(m.Start) >= timestampNs) return true;
        return false;
    }

    /// <summary>Whether bytes were lost (not merely left uncaptured) in a hole whose bytes may have moved between
    /// <paramref name="sinceNs"/> and <paramref name="untilNs"/>: the stream went on after it at or after the one, and
    /// had reached it at or before the other. A message expected in that time (an HTTP/2 stream's response) may lie
    /// wholly in it.</summary>
    public bool LostBetween(long sinceNs, long untilNs)
    {
        foreach (var m in _missing)
            if (!m.Truncated && TimestampAt(m.End) >= sinceNs && TimestampAt(m.Start) <= untilNs) return true;
        return false;
    }

    /// <summary>Given a hole's start, whether the parser that read this direction found that no message can have been
    /// lost in it (it lay inside one body of known length); set once that parser is done. Null: every hole may hide one.</summary>
    public Func<long, bool>? LostNoMessage { get; set; }

    /// <summary>Whether bytes were lost (not merely left uncaptured) before <paramref name="offset"/> in a hole that may
    /// have held a whole message (see <see cref="LostNoMessage"/>).</summary>
    public bool LostBefore(long offset)
    {
        foreach (var m in _missing)
            if (!m.Truncated && m.Start < offset && LostNoMessage?.Invoke(m.Start) != true) return true;
        return false;
    }
}
