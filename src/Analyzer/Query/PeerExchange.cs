using Capture.Analyzer.Exchanges;
using Capture.Analyzer.Recording;
using Dapper;

namespace Capture.Analyzer.Query;

/// <summary>
/// The same exchange seen from the other end of the connection, when both ends were traced on this host
/// (a client and a server on loopback, or a proxy and its upstream): the connection whose addresses mirror
/// this one's, open at the same time, and on it the exchange in the same place (same HTTP/2 stream, or
/// the same position in HTTP/1.x order).
/// </summary>
internal static class PeerExchange
{
    public static Exchange? Find(RecordingFile recording, Exchange exchange, ParserLimits? limits = null)
    {
        var analyzer = new ConnectionAnalyzer(recording.Connection, recording.Run, limits);
        var connections = recording.Connection.Query<ConnectionRow>("SELECT * FROM connections").ToList();
        var own = connections.FirstOrDefault(c => c.Id == exchange.ConnectionId);
        if (own is null) return null;
        var peer = connections.FirstOrDefault(c => c.Id != own.Id && c.Local == own.Remote && c.Remote == own.Local &&
                                                   c.Opened_Ns <= (own.Closed_Ns ?? long.MaxValue) && own.Opened_Ns <= (c.Closed_Ns ?? long.MaxValue));
        if (peer is null) return null;

        var ownExchanges = analyzer.Analyze(own).ToList();
        int index = ownExchanges.FindIndex(e => e.StartNs == exchange.StartNs && e.StreamId == exchange.StreamId);
        var peerExchanges = analyzer.Analyze(peer).ToList();
        if (exchange.StreamId is { } stream) return peerExchanges.FirstOrDefault(e => e.StreamId == stream);
        return index >= 0 && index < peerExchanges.Count ? peerExchanges[index] : null;
    }
}
