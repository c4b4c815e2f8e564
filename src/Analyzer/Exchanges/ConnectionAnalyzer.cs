using Capture.Analyzer.Recording;
using Microsoft.Data.Sqlite;

namespace Capture.Analyzer.Exchanges;

/// <summary>Sends each connection to the analyzer of the protocol its bytes speak.</summary>
internal sealed class ConnectionAnalyzer(SqliteConnection db, RunInfo run, ParserLimits? limits = null)
{
    private readonly Http1ConnectionAnalyzer _http1 = new(db, run, limits ?? ParserLimits.Default);
    private readonly Http2ConnectionAnalyzer _http2 = new(db, run, (limits ?? ParserLimits.Default).Http2);

    public IEnumerable<Exchange> Analyze(ConnectionRow conn)
    {
        var verdict = ProtocolSniffer.Sniff(db, conn);
        return verdict.Protocol == WireProtocol.Http2 ? _http2.Analyze(conn, verdict.Side) : _http1.Analyze(conn, verdict.Side);
    }
}
