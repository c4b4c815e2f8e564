using Capture.Analyzer.Reassembly;
using Capture.Analyzer.Recording;
using Microsoft.Data.Sqlite;

namespace Capture.Analyzer.Exchanges;

/// <summary>Sends each connection to the analyzer of the protocol its bytes speak.</summary>
internal sealed class ConnectionAnalyzer(SqliteConnection db, RunInfo run, ParserLimits? limits = null)
{
    private readonly Http1ConnectionAnalyzer _http1 = new(db, run, limits ?? ParserLimits.Default);
    private readonly Http2ConnectionAnalyzer _http2 = new(db, run, limits ?? ParserLimits.Default);

    public IEnumerable<Exchange> Analyze(ConnectionRow conn)
    {
        var exchanges = AnalyzeStream(conn);
        // Through an HTTP proxy, a TLS connection asks for its tunnel in plaintext before the handshake: that CONNECT
        // exchange is in the socket bytes, which the analysis of the TLS library's plaintext never reads.
        if (!conn.Tls) return exchanges;
        var beforeHandshake = conn with { BeforeHandshake = true };
        return ProtocolSniffer.AsksForTunnel(db, beforeHandshake) ? AnalyzeStream(beforeHandshake).Concat(exchanges) : exchanges;
    }

    /// <summary>What an HTTP/2 connection's analysis skipped after holes to find its frames again (see
    /// <see cref="OrphanedFrameTail"/>); none for a connection of another protocol, or without a hole. The export asks
    /// it of every connection, and parsing each HTTP/2 connection once more made an export of one with no hole take
    /// 60% longer; a connection without a hole has no tail, and the positions of its chunks say so.</summary>
    public IReadOnlyList<OrphanedFrameTail> OrphanedHttp2FrameTails(ConnectionRow conn)
    {
        if (!StreamHoles.AnyInside(db, conn.Id)) return [];
        var verdict = ProtocolSniffer.Sniff(db, conn);
        return verdict.Protocol == WireProtocol.Http2 ? _http2.OrphanedTails(conn, verdict.Side) : [];
    }

    private IEnumerable<Exchange> AnalyzeStream(ConnectionRow conn)
    {
        var verdict = ProtocolSniffer.Sniff(db, conn);
        return verdict.Protocol == WireProtocol.Http2 ? _http2.Analyze(conn, verdict.Side) : _http1.Analyze(conn, verdict.Side);
    }
}
