using Capture.Analyzer.Exchanges;
using Capture.Analyzer.Recording;
using Dapper;

namespace Capture.Analyzer.Query;

/// <summary>
/// The same exchange seen from the other end of the connection, when both ends were traced on this host
/// (a client and a server on loopback, or a proxy and its upstream): the connection whose addresses mirror
/// this one's, open at the same time, and on it the same exchange: the same HTTP/2 stream, or on HTTP/1.x the
/// same request (method and target) that began nearest in time. Not the same position in order: drops can cost
/// one end an exchange the other has, and the next one's timing would then pass for this one's.
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

        var peerExchanges = analyzer.Analyze(peer);
        if (exchange.StreamId is { } stream) return peerExchanges.FirstOrDefault(e => e.StreamId == stream);
        return peerExchanges.Where(e => e.Method == exchange.Method && e.Path == exchange.Path)
            .MinBy(e => Math.Abs(e.StartNs - exchange.StartNs));
    }
}
