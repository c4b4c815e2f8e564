using Capture.Analyzer.Http1;
using Capture.Analyzer.Reassembly;
using Capture.Analyzer.Recording;
using Microsoft.Data.Sqlite;

namespace Capture.Analyzer.Exchanges;

/// <summary>Turns one connection's two byte streams into exchanges: parse the request stream,
/// then the response stream (it needs the request methods: HEAD has no body), pair them in order
/// (pipelining keeps order), and time them from the byte timelines.</summary>
internal sealed class Http1ConnectionAnalyzer(SqliteConnection db, RunInfo run)
{
    private const int Egress = 0, Ingress = 1;

    public IEnumerable<Exchange> Analyze(ConnectionRow conn)
    {
        var side = SideOf(conn);
        int requestDirection = side == "client" ? Egress : Ingress;

        var requests = new Http1StreamParser(Http1MessageKind.Request);
        var requestTimeline = DirectionStream.Replay(db, conn.Id, conn.Tls, requestDirection, b => requests.Feed(b), requests.Gap);
        requests.End();
        var requestList = requests.Messages;

        var responses = new Http1StreamParser(Http1MessageKind.Response);
        int finalResponses = 0, scanned = 0;
        responses.RequestMethodForNextResponse = () =>
        {
            // Count final responses parsed so far (1xx are interim and answer no request on their own).
            for (; scanned < responses.Messages.Count; scanned++)
                if (IsFinal(responses.Messages[scanned])) finalResponses++;
            return finalResponses < requestList.Count ? requestList[finalResponses].Method : null;
        };
        var responseTimeline = DirectionStream.Replay(db, conn.Id, conn.Tls, 1 - requestDirection, b => responses.Feed(b), responses.Gap);
        responses.End();
        if (requests.Upgraded || responses.Upgraded) { /* the rest of the connection is another protocol */ }

        var finals = responses.Messages.Where(IsFinal).ToList();
        int pairs = Math.Max(requestList.Count, finals.Count);
        for (int i = 0; i < pairs; i++)
        {
            var request = i < requestList.Count ? requestList[i] : null;
            var response = i < finals.Count ? finals[i] : null;
            yield return Build(conn, side, request, response, requestTimeline, responseTimeline, i == 0);
        }
    }

    private static bool IsFinal(Http1Message m) => m.Status is null or >= 200 or 101;

    private Exchange Build(ConnectionRow conn, string side, Http1Message? request, Http1Message? response,
        ByteTimeline requestTimeline, ByteTimeline responseTimeline, bool firstOnConnection)
    {
        var flags = new List<string>();
        long? start = request is not null ? requestTimeline.TimestampAt(request.StartOffset) : null;
        long? firstResponseByte = response is not null ? responseTimeline.TimestampAt(response.StartOffset) : null;
        long? lastResponseByte = response is not null ? responseTimeline.TimestampAt(Math.Max(response.StartOffset, response.EndOffset - 1)) : null;
        start ??= firstResponseByte ?? conn.Opened_Ns;

        bool complete = request is not null && response is not null &&
                        !request.Flags.HasFlag(Http1MessageFlags.Incomplete) && !response.Flags.HasFlag(Http1MessageFlags.Incomplete);
        long end = lastResponseByte ?? conn.Closed_Ns ?? run.LastTimestampNs ?? start.Value;
        if (!complete) flags.Add(ExchangeFlags.Incomplete);
        if (request is null) flags.Add(ExchangeFlags.NoRequest);

        bool gap = false, truncated = false, malformed = false;
        foreach (var (message, timeline) in new[] { (request, requestTimeline), (response, responseTimeline) })
        {
            if (message is null) continue;
            var missing = timeline.MissingIn(message.StartOffset, message.EndOffset);
            gap |= missing.Gap || message.Flags.HasFlag(Http1MessageFlags.Gap) && !missing.Truncated;
            truncated |= missing.Truncated;
            malformed |= message.Flags.HasFlag(Http1MessageFlags.Malformed);
        }
        if (truncated) flags.Add(ExchangeFlags.Truncated);
        if (gap) flags.Add(ExchangeFlags.Gap);
        if (malformed) flags.Add(ExchangeFlags.Malformed);
        if (firstOnConnection && conn.Mid_Stream != 0) flags.Add(ExchangeFlags.MidStream);

        var (host, path) = Target(request, conn, side);
        return new Exchange
        {
            ConnectionId = conn.Id,
            StartNs = start.Value,
            Timestamp = run.WallClock(start.Value),
            DurationMs = Math.Max(0, end - start.Value) / 1e6,
            TtfbMs = firstResponseByte is { } first ? Math.Max(0, first - start.Value) / 1e6 : null,
            Method = request?.Method,
            Host = host,
            Path = path,
            Status = response?.Status,
            Pid = conn.Pid,
            Comm = conn.Comm,
            Side = side,
            Protocol = "http/1.1",
            Tls = conn.Tls,
            RequestBytes = request is null ? 0 : request.EndOffset - request.StartOffset,
            ResponseBytes = response is null ? 0 : response.EndOffset - response.StartOffset,
            Flags = flags,
            Local = conn.Local,
            Remote = conn.Remote,
        };
    }

    /// <summary>Host from the Host header (or an absolute-form target), else the server's address.</summary>
    private static (string? Host, string? Path) Target(Http1Message? request, ConnectionRow conn, string side)
    {
        string serverAddress = side == "client" ? conn.Remote : conn.Local;
        if (request?.Target is not { } target) return (serverAddress, null);
        if (Uri.TryCreate(target, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
            return (absolute.Authority, absolute.PathAndQuery);
        return (request.Header("Host") ?? serverAddress, target);
    }

    /// <summary>client if the process made the connection, server if it accepted it; for a connection
    /// that predates the recording, whichever way its first HTTP bytes went.</summary>
    private string SideOf(ConnectionRow conn)
    {
        if (conn.Role is "client" or "server") return conn.Role;
        foreach (var (direction, data) in FirstBytes(conn.Id, conn.Tls))
        {
            bool response = data.AsSpan().StartsWith("HTTP/"u8);
            bool wroteIt = direction == Egress;
            // A process that writes a response (or reads a request) is serving.
            return response == wroteIt ? "server" : "client";
        }
        return "client";
    }

    private IEnumerable<(int Direction, byte[] Data)> FirstBytes(long connId, bool tls) =>
        Dapper.SqlMapper.Query<(long, byte[])>(db,
            "SELECT direction, data FROM chunks WHERE conn_id = @connId AND tls = @tls AND data_len > 0 ORDER BY ts_ns, id LIMIT 1",
            new { connId, tls = tls ? 1 : 0 })
            .Select(r => ((int)r.Item1, r.Item2));
}
