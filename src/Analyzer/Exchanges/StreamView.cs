using Capture.Analyzer.Reassembly;

namespace Capture.Analyzer.Exchanges;

/// <summary>One direction as a parser saw it: parser offsets plus <see cref="Origin"/> are stream positions
/// (a parser handed over mid-stream, as after an h2c upgrade, counts from its own first byte).</summary>
internal readonly record struct StreamView(ByteTimeline Timeline, long Origin)
{
    public long? TimeAt(long? parserOffset) => parserOffset is { } o ? Timeline.TimestampAt(Origin + o) : null;

    /// <summary>The process that moved the byte at <paramref name="parserOffset"/>.</summary>
    public long? PidAt(long? parserOffset) => parserOffset is { } o ? Timeline.PidAt(Origin + o) : null;

    /// <summary>Time of the last byte before <paramref name="parserEndOffset"/> (exclusive end).</summary>
    public long? TimeOfLastByte(long? parserStart, long? parserEndOffset) =>
        parserEndOffset is { } end ? Timeline.TimestampAt(Origin + Math.Max(parserStart ?? 0, end - 1)) : null;

    /// <summary>Missing bytes in a message or stream half: from its first byte to its end, or on to the end of the
    /// stream when it did not end (its end may be among the missing bytes).</summary>
    public (bool Gap, bool Truncated) MissingIn(long? parserStart, long? parserEnd, bool ended = true) =>
        parserStart is { } s ? Timeline.MissingIn(Origin + s, ended ? Origin + (parserEnd ?? s) : long.MaxValue) : (false, false);
}
