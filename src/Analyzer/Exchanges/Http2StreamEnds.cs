using Capture.Analyzer.Http2;

namespace Capture.Analyzer.Exchanges;

/// <summary>
/// When a connection's HTTP/2 streams were ended by a frame rather than by END_STREAM: the first RST_STREAM on the stream,
/// from either side (RFC 9113 §6.4), or a GOAWAY whose Last-Stream-ID left the stream unprocessed (§6.8: a GOAWAY covers
/// the streams its sender's peer opens). Times, since the two directions' offsets cannot be compared.
/// </summary>
internal sealed class Http2StreamEnds
{
    private readonly Dictionary<int, long> _resets = [];
    private readonly List<(int LastStreamId, bool SentByServer, long TimeNs)> _goAways = [];

    public Http2StreamEnds(IReadOnlyList<Http2Event> clientToServer, StreamView client, IReadOnlyList<Http2Event> serverToClient, StreamView server)
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
        // Clients open odd-numbered streams and servers even ones (§5.1.1): a server's GOAWAY refuses odd streams above its
        // Last-Stream-ID, a client's the pushed ones.
        bool clientOpened = streamId % 2 == 1;
        foreach (var (last, sentByServer, at) in _goAways)
            if (streamId > last && sentByServer == clientOpened) ended = Math.Min(at, ended ?? long.MaxValue);
        return ended;
    }
}
