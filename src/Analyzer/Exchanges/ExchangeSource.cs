using Capture.Analyzer.Recording;
using Dapper;

namespace Capture.Analyzer.Exchanges;

/// <summary>Every exchange in one or several recordings, connection by connection, with ids assigned in
/// (recording, connection, order on the connection) order so that an id names the same exchange every
/// time the same files are given in the same order.</summary>
internal static class ExchangeSource
{
    public static IEnumerable<Exchange> All(RecordingFile recording, ParserLimits? limits = null) => All([recording], limits);

    public static IEnumerable<Exchange> All(IReadOnlyList<RecordingFile> recordings, ParserLimits? limits = null)
    {
        long id = 0;
        int number = 0;
        foreach (var recording in recordings)
        {
            number++;
            var analyzer = new ConnectionAnalyzer(recording.Connection, recording.Run, limits);
            var connections = recording.Connection.Query<ConnectionRow>("SELECT * FROM connections ORDER BY id", buffered: true);
            string name = recordings.Count > 1 ? recording.Path : "";
            foreach (var conn in connections)
                foreach (var exchange in analyzer.Analyze(conn))
                {
                    exchange.Id = ++id;
                    exchange.Recording = name;
                    exchange.RecordingNumber = recordings.Count > 1 ? number : 0;
                    exchange.Redaction = recording.Run.Redaction;
                    yield return exchange;
                }
        }
    }
}
