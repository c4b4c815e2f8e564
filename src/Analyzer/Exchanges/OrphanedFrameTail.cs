using Capture.Analyzer.Http2;
using Capture.Analyzer.Reassembly;

namespace Capture.Analyzer.Exchanges;

/// <summary>Captured bytes of an HTTP/2 direction that the analysis could not read as frames: those after a hole that
/// lost a frame boundary, up to the boundary the parser found again (<see cref="Http2FrameReader"/>'s recovery). Most
/// often the rest of a frame whose start the hole lost. [<paramref name="From"/>, <paramref name="To"/>) are stream
/// positions of <paramref name="Direction"/> (chunks.direction), elided ranges counted, as the chunks table has them.</summary>
internal readonly record struct OrphanedFrameTail(int Direction, long From, long To)
{
    public long Length => To - From;

    /// <summary>The tails in one direction's parser events. Holes that come one after another before the boundary is found
    /// make one tail, from the end of the first: the bytes between them were not read as frames either. A boundary never
    /// found makes none: there is no frame to start again from.</summary>
    public static IEnumerable<OrphanedFrameTail> In(IEnumerable<Http2Event> events, ByteTimeline timeline, int direction)
    {
        long? lostFrom = null;
        foreach (var e in events)
        {
            switch (e)
            {
                case Http2GapEvent { FramingLost: true } gap:
                    lostFrom ??= gap.Offset + gap.Length;
                    break;
                case Http2ResyncEvent resync when lostFrom is { } from:
                    lostFrom = null;
                    if (resync.Offset > from)
                        yield return new OrphanedFrameTail(direction, timeline.StreamPosition(from), timeline.StreamPosition(resync.Offset));
                    break;
            }
        }
    }
}
