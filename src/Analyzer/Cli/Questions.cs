using Capture.Analyzer.Exchanges;
using Capture.Analyzer.Output;
using Capture.Analyzer.Query;
using Capture.Analyzer.Recording;
using Dapper;

namespace Capture.Analyzer.Cli;

/// <summary>The questions `analyze` answers, each over the exchanges that pass the filter. Every one
/// streams the recordings: memory grows with the answer (N rows, the groups), not with the files.</summary>
internal sealed class Questions(IReadOnlyList<RecordingFile> recordings, ExchangeFilter filter, OutputFormat format, int? limit, TextWriter stdout,
    ParserLimits parserLimits)
{
    private IEnumerable<Exchange> Matching(IReadOnlyList<RecordingFile>? from = null) =>
        ExchangeSource.All(from ?? recordings, parserLimits).Where(filter.Matches);

    public void Slowest(int count) => WriteExchanges(Exchanges.Slowest.Take(Matching(), Math.Min(count, limit ?? int.MaxValue)));

    /// <summary>4xx/5xx, HTTP/2 resets and GOAWAYs, gRPC non-OK, and exchanges that never completed or broke the protocol, in id order.</summary>
    public void Errors() => WriteExchanges(Limited(Matching().Where(e => e.IsError)).ToList());

    public void List() => WriteExchanges(Limited(Matching()).ToList());

    public void Stats() => StatsOutput.Write(stdout, format, Grouping.Endpoint, Limited(GroupStats.Compute(Matching(), Grouping.Endpoint)).ToList());

    public void By(Grouping grouping) => StatsOutput.Write(stdout, format, grouping, Limited(GroupStats.Compute(Matching(), grouping)).ToList());

    public void Compare()
    {
        var rows = Comparison.Compute(Matching([recordings[0]]), Matching([recordings[1]]));
        ComparisonOutput.Write(stdout, format, Limited(rows).ToList(), recordings[0].Path, recordings[1].Path);
    }

    /// <summary>False when no exchange has that id.</summary>
    public bool Show(long id)
    {
        // Ids run on across the recordings in the order given (see ExchangeSource).
        long before = 0;
        foreach (var recording in recordings)
        {
            Exchange? exchange = null;
            long last = before;
            foreach (var e in ExchangeSource.All([recording], parserLimits))
            {
                last = before + e.Id;
                if (last == id) { exchange = e; break; }
            }
            if (exchange is null)
            {
                before = last; // one pass over a recording without the id also counts its exchanges
                continue;
            }
            exchange.Id = id;
            if (recordings.Count > 1) exchange.Recording = recording.Path;
            if (format == OutputFormat.Table)
            {
                var conn = recording.Connection.QueryFirstOrDefault<ConnectionRow>("SELECT * FROM connections WHERE id = @id", new { id = exchange.ConnectionId });
                ExchangeDetail.Write(stdout, exchange, conn, PeerExchange.Find(recording, exchange, parserLimits));
            }
            else if (format == OutputFormat.Json) ExchangeJson.Write(stdout, [exchange], withMessages: true);
            else WriteExchanges([exchange]);
            return true;
        }
        return false;
    }

    public HarWriter.Result ExportHar(string path)
    {
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.Read,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite, // it holds other processes' traffic, like the db
        });
        return HarWriter.Write(file, Limited(Matching()));
    }

    private void WriteExchanges(IReadOnlyList<Exchange> exchanges)
    {
        switch (format)
        {
            case OutputFormat.Json: ExchangeJson.Write(stdout, exchanges); break;
            case OutputFormat.Csv: Csv.WriteExchanges(stdout, exchanges); break;
            default: ExchangeTable.Write(stdout, exchanges); break;
        }
    }

    private IEnumerable<T> Limited<T>(IEnumerable<T> items) => limit is { } n ? items.Take(n) : items;
}
