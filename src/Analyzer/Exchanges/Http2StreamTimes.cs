using Capture.Analyzer.Http2;

namespace Capture.Analyzer.Exchanges;

/// <summary>
/// Moments of a connection's HTTP/2 streams that the stream records do not keep, read from the frames: when a frame
/// rather than END_STREAM ended a stream: the first RST_STREAM on it, from either side (RFC 9113 §6.4), or a GOAWAY whose Last-Stream-ID left it
/// unprocessed (§6.8: a GOAWAY covers the streams its sender's peer opens). Times, since the two directions' offsets
/// cannot be compared.
/// </summary>
internal sealed class Http2StreamTimes
{
    private readonly Dictionary<int, long> _resets = [];
    private readonly List<(int LastStreamId, bool SentByServer, long TimeNs)> _goAways = [];

    public Http2StreamTimes(IReadOnlyList<Http2Event> clientToServer, StreamView client, IReadOnlyList<Http2Event> serverToClient, StreamView server)
    {
        Read(clientToServer, client, sentByServer: false);
        Read(serverToClient, server, sentByServer: true);
    }

    private void Read(IReadOnlyList<Http2Event> events, StreamView view, bool sentByServer)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                case Http2ResetEvent reset when view.TimeAt(reset.Offset) is { } at:
                    _resets[reset.StreamId] = Math.Min(at, _resets.GetValueOrDefault(reset.StreamId, long.MaxValue));
                    break;
                case Http2GoAwayEvent goAway when view.TimeAt(goAway.Offset) is { } at:
                    _goAways.Add((goAway.LastStreamId, sentByServer, at));
                    break;
            }
        }
    }

    /// <summary>The earliest time a frame ended the stream, or null when none did.</summary>
    public long? EndedAt(int streamId)
    {
        long? ended = _resets.TryGetValue(streamId, out var reset) ? reset : null;
        foreach (var (last, sentByServer, at) in _goAways)
            if (Http2GoAwayEvent.Refuses(last, sentByServer, streamId)) ended = Math.Min(at, ended ?? long.MaxValue);
        return ended;
    }
}
