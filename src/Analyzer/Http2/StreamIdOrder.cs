namespace Capture.Analyzer.Http2;

/// <summary>
/// RFC 9113 §5.1.1 for the streams one side initiates (the client's requests, the server's promised pushes), followed
/// through that side's frames in the order it sent them: a new stream's id is greater than that of every stream the
/// side has already opened or reserved; opening a lower one is a connection error (PROTOCOL_ERROR). A lower id seen
/// before is no new stream (trailers, say). Where the side's frames were not captured, a stream may have opened among
/// them unseen, so only ids at or below the highest opened before the first loss are sure to have gone backwards; a
/// capture that joined the connection lost everything before it, and flags nothing.
/// </summary>
internal sealed class StreamIdOrder
{
    private readonly HashSet<int> _seen = [];
    private int _highestOpened;
    /// <summary>The highest id opened before the side's frames were first lost; null while none were.</summary>
    private int? _highestBeforeLoss;

    /// <summary>Some of the side's frames were not captured (a hole, a resynchronisation, a capture that joined late).</summary>
    public void FramesLost() => _highestBeforeLoss ??= _highestOpened;

    /// <summary>A frame of the side on stream <paramref name="id"/> that opens nothing (DATA, RST_STREAM, a partly captured frame).</summary>
    public void Seen(int id) => _seen.Add(id);

    /// <summary>
    /// Whether stream <paramref name="id"/>, one the side initiates, is sure to be idle (§5.1): no frame of the side's has
    /// been on it, and none of the side's frames were lost so far, so its field block cannot have been among them.
    /// </summary>
    public bool SurelyIdle(int id) => _highestBeforeLoss is null && !_seen.Contains(id);

    /// <summary>The highest id the side has opened so far (0 before any).</summary>
    public int HighestOpened => _highestOpened;

    /// <summary>A field block (or a promise) of the side on stream <paramref name="id"/>; false if it opens a stream below one already opened.</summary>
    public bool Opens(int id)
    {
        if (!_seen.Add(id)) return true;
        bool backwards = id < _highestOpened && id <= (_highestBeforeLoss ?? int.MaxValue);
        _highestOpened = Math.Max(_highestOpened, id);
        return !backwards;
    }
}
