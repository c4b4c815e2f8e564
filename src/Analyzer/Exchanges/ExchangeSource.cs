using Capture.Analyzer.Recording;
using Dapper;

namespace Capture.Analyzer.Exchanges;

/// <summary>Every exchange in a recording, connection by connection, with ids assigned in
/// (connection, order on the connection) order so that an id names the same exchange every time.</summary>
internal static class ExchangeSource
{
    public static IEnumerable<Exchange> All(RecordingFile recording)
    {
        var analyzer = new ConnectionAnalyzer(recording.Connection, recording.Run);
        var connections = recording.Connection.Query<ConnectionRow>("SELECT * FROM connections ORDER BY id", buffered: true);
        long id = 0;
        foreach (var conn in connections)
            foreach (var exchange in analyzer.Analyze(conn))
            {
                exchange.Id = ++id;
                yield return exchange;
            }
    }
}
