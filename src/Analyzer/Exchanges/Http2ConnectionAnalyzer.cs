using Capture.Analyzer.Http1;
using Capture.Analyzer.Http2;
using Capture.Analyzer.Reassembly;
using Capture.Analyzer.Recording;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Capture.Analyzer.Exchanges;

/// <summary>Turns an HTTP/2 connection (prior knowledge, ALPN h2 over TLS, or joined mid-connection) into
/// exchanges, one per stream: each direction parsed by its own parser and HPACK decoder in wire order,
/// the streams paired by the assembler, and timed from the byte timelines.</summary>
internal sealed class Http2ConnectionAnalyzer(SqliteConnection db, RunInfo run, ParserLimits parserLimits)
{
    private const int Egress = 0, Ingress = 1;
    private readonly Http2Limits limits = parserLimits.Http2;

    public IEnumerable<Exchange> Analyze(ConnectionRow conn, string side)
    {
        (var parsed, side) = Parse(conn, side);
        var streams = Http2ExchangeAssembler.Assemble(parsed.Client, parsed.Server);
        var client = new StreamView(parsed.ClientTimeline, 0);
        var server = new StreamView(parsed.ServerTimeline, 0);
        var times = new Http2StreamTimes(parsed.Client.Events, client, parsed.Server.Events, server);
        return streams.Select((s, i) => (Stream: s, First: i == 0))
            .Where(s => !run.IsDenied(conn, s.Stream.StreamId))
            .Select(s => Http2ExchangeBuilder.Build(run, conn, side, s.Stream, client, server, times, upgradeRequest: null, firstOnConnection: s.First,
                parsed.NotHttp2));
    }

    /// <summary>Each direction's captured bytes between a hole and the frame boundary the parser found again after it
    /// (see <see cref="OrphanedFrameTail"/>), as the analysis of the connection reads them.</summary>
    public IReadOnlyList<OrphanedFrameTail> OrphanedTails(ConnectionRow conn, string side)
    {
        (var parsed, side) = Parse(conn, side);
        int clientDirection = side == "server" ? Ingress : Egress;
        return [.. OrphanedFrameTail.In(parsed.Client.Events, parsed.ClientTimeline, clientDirection),
                .. OrphanedFrameTail.In(parsed.Server.Events, parsed.ServerTimeline, 1 - clientDirection)];
    }

    /// <summary>Both directions parsed, with the side the recorded process is on. A connection joined mid-way has no
    /// preface to say who is the client: the end that sent :status is the server.</summary>
    private (Parsed Parsed, string Side) Parse(ConnectionRow conn, string side)
    {
        var parsed = Parse(conn, side == "server" ? Ingress : Egress);
        if (side != "unknown") return (parsed, side);
        return SentResponses(parsed.Client) && !SentResponses(parsed.Server) ? (Parse(conn, Ingress), "server") : (parsed, "client");
    }

    /// <param name="NotHttp2">What the server answered instead of HTTP/2, when it did not speak it; its events are then none.</param>
    private sealed record Parsed(Http2DirectionParser Client, ByteTimeline ClientTimeline, Http2DirectionParser Server, ByteTimeline ServerTimeline,
        NotHttp2Answer? NotHttp2 = null);

    private Parsed Parse(ConnectionRow conn, int clientDirection)
    {
        // The directions are parsed one after the other, and each side's SETTINGS govern the other direction. The
        // client's direction starts with the server's first SETTINGS, read ahead from its stream's first chunks;
        // the server's follows every SETTINGS of the client's; and the client's is parsed again, following every
        // SETTINGS of the server's, in the rare connection whose server changed a limit after its first.
        var client = new Http2DirectionParser(clientToServer: true, limits);
        if (FirstSettings(conn, 1 - clientDirection, clientToServer: false) is { } fromServer) client.ApplyPeerSettings(fromServer);
        var clientTimeline = DirectionStream.Replay(db, conn, clientDirection, client.Feed, client.Gap);
        client.End();
        var server = new Http2DirectionParser(clientToServer: false, limits);
        server.FollowPeerSettings(client.SettingsSent);
        var serverTimeline = DirectionStream.Replay(db, conn, 1 - clientDirection, server.Feed, server.Gap);
        server.End();
        // The client's preface was captured, so the server's direction was captured from its start too (a hole there comes
        // first, and is no missing preface): a server that did not begin with SETTINGS does not speak HTTP/2.
        if (!client.StartedMidConnection && server.PrefaceMissing)
        {
            var answer = new NotHttp2Answer(parserLimits.Http1);
            DirectionStream.Replay(db, conn, 1 - clientDirection, answer.Feed, answer.Gap, answer.Uncaptured);
            answer.End();
            var noFrames = new Http2DirectionParser(clientToServer: false, limits);
            noFrames.End();
            return new Parsed(client, clientTimeline, noFrames, serverTimeline, answer);
        }
        if (server.ChangedPeerLimitsLater)
        {
            client = new Http2DirectionParser(clientToServer: true, limits);
            client.FollowPeerSettings(server.SettingsSent);
            DirectionStream.Replay(db, conn, clientDirection, client.Feed, client.Gap);
            client.End();
        }
        return new Parsed(client, clientTimeline, server, serverTimeline);
    }

    private static bool SentResponses(Http2DirectionParser parser) =>
        parser.Events.OfType<Http2HeadersEvent>().Any(h => h.Header(":status") is not null);

    /// <summary>A direction's first SETTINGS frame, read from its stream's first chunks.</summary>
    private Http2SettingsEvent? FirstSettings(ConnectionRow conn, int direction, bool clientToServer)
    {
        var probe = new Http2DirectionParser(clientToServer, limits);
        var firstChunks = db.Query<byte[]>(
            "SELECT data FROM chunks WHERE conn_id = @id AND tls = @tls AND direction = @direction ORDER BY stream_pos, id LIMIT 4",
            new { id = conn.Id, tls = conn.Tls ? 1 : 0, direction });
        foreach (var data in firstChunks)
        {
            probe.Feed(data);
            if (probe.Events.OfType<Http2SettingsEvent>().FirstOrDefault(s => !s.Ack) is { } settings) return settings;
        }
        return null;
    }
}

/// <summary>One HTTP/2 stream as an <see cref="Exchange"/>.</summary>
internal static class Http2ExchangeBuilder
{
    /// <param name="notHttp2">What the server answered instead of HTTP/2, when it did not speak it: the first stream's response.</param>
    public static Exchange Build(RunInfo run, ConnectionRow conn, string side, Http2Stream s, StreamView client, StreamView server,
        Http2StreamTimes times, Http1Message? upgradeRequest, bool firstOnConnection, NotHttp2Answer? notHttp2 = null)
    {
        if (notHttp2 is not null) s = notHttp2.Apply(s, isAnswered: firstOnConnection, connectionClosed: conn.Closed_Ns is not null);
        // A pushed stream's request is the server's PUSH_PROMISE, so its offsets are in the server's stream.
        var requestView = s.IsPush ? server : client;
        bool upgraded = upgradeRequest is not null && s.StreamId == 1 && s.RequestHeaders.Count == 0;

        long? start = upgraded ? client.Timeline.TimestampAt(upgradeRequest!.StartOffset) : requestView.TimeAt(s.RequestStartOffset);
        long? requestEnd = upgraded ? client.Timeline.TimestampAt(Math.Max(upgradeRequest!.StartOffset, upgradeRequest.EndOffset - 1))
                                    : requestView.TimeOfLastByte(s.RequestStartOffset, s.RequestEndOffset);
        long? firstResponse = server.TimeAt(s.ResponseStartOffset);
        long? lastResponse = server.TimeOfLastByte(s.ResponseStartOffset, s.ResponseEndOffset);
        // A stream with no frame but a RST_STREAM or WINDOW_UPDATE (on one never opened) began with it.
        start ??= firstResponse ?? IdleFrameTime(s, client, server) ?? times.EndedAt(s.StreamId) ?? conn.Opened_Ns;
        // After an h2c upgrade, stream 1's request was the HTTP/1 request, already complete. RFC 9113 §8.1: a server may
        // answer whole before the request ended, then stop the client's sending "without error" with RST_STREAM(NO_ERROR)
        // (the first reset, so it came after the response's END_STREAM): the request was cut short by agreement.
        bool stoppedWithoutError = s.ResponseComplete && s.ResetErrorCode == 0;
        bool complete = s.ResponseComplete &&
                        (upgraded ? !upgradeRequest!.Flags.HasFlag(Http1MessageFlags.Incomplete) : s.RequestComplete || stoppedWithoutError);
        // A stream whose response did not end was over when a RST_STREAM or GOAWAY ended it, when one did: not when its
        // connection closed, which on a long-lived channel can be minutes later.
        // An answer may come before its request was all sent (a 413 to an upload): the exchange lasts until both were.
        long end = (s.ResponseComplete ? null : times.EndedAt(s.StreamId)) is { } endedByFrame
            ? Math.Max(endedByFrame, lastResponse ?? start.Value)
            : lastResponse is { } last ? Math.Max(last, requestEnd ?? last) : conn.Closed_Ns ?? run.LastTimestampNs ?? start.Value;

        var flags = new List<string>();
        if (!complete) flags.Add(ExchangeFlags.Incomplete);
        // A request whose field block was cut before its first field was sent all the same: the cut is flagged below. DATA
        // on a stream never opened did not lose its request: there was none (flagged malformed).
        // (After an h2c upgrade, stream 1 was opened by the HTTP/1 request.)
        bool neverOpened = s.NeverOpened && !upgraded;
        if (!s.RequestSeen && !upgraded && !neverOpened) flags.Add(ExchangeFlags.NoRequest);
        // Bytes the per-call cap left uncaptured moved in order and were not lost. A frame it cut hides the frame
        // boundaries after it, so a half that did not end may have ended among them, and a response with no frame seen
        // may lie wholly among those hidden after the request began.
        bool truncated = requestView.MissingIn(s.RequestStartOffset, s.RequestEndOffset, ended: s.RequestComplete).Truncated ||
                         server.MissingIn(s.ResponseStartOffset, s.ResponseEndOffset, ended: s.ResponseComplete).Truncated ||
                         s.ResponseStartOffset is null && server.Timeline.UncapturedSince(start.Value);
        // The stream's holes (its frames' missing octets, lost frame boundaries) on a connection where nothing was
        // dropped but the cap left bytes uncaptured are the cap's doing: truncation, not a gap.
        // Frames lost whole leave no trace in the streams around them: a half that never came, or never finished, may
        // have been in a hole that the connection went on after once the stream had begun (its request before that).
        bool lostRequest = !upgraded && (s.RequestHeaders.Count == 0
            ? requestView.Timeline.LostBetween(long.MinValue, firstResponse ?? long.MaxValue)
            : !s.RequestComplete && requestView.Timeline.LostBetween(start.Value, long.MaxValue));
        bool lostResponse = !s.ResponseComplete && server.Timeline.LostBetween(start.Value, long.MaxValue);
        bool holes = (s.Flags & Http2StreamFlags.Gap) != 0 || lostRequest || lostResponse;
        bool capHoles = holes && !client.Timeline.LostBefore(long.MaxValue) && !server.Timeline.LostBefore(long.MaxValue) &&
                        (client.Timeline.UncapturedSince(long.MinValue) || server.Timeline.UncapturedSince(long.MinValue));
        if (truncated || capHoles) flags.Add(ExchangeFlags.Truncated);
        if (holes && !capHoles) flags.Add(ExchangeFlags.Gap);
        if ((s.Flags & Http2StreamFlags.Malformed) != 0) flags.Add(ExchangeFlags.Malformed);
        if (firstOnConnection && conn.Mid_Stream != 0) flags.Add(ExchangeFlags.MidStream);
        // RST_STREAM(NO_ERROR) after a whole response only tells the client to stop sending (RFC 9113 §8.1).
        bool reset = s.ResetErrorCode is { } code && (code != 0 || !complete);
        if (reset) flags.Add(ExchangeFlags.Reset);
        if ((s.Flags & Http2StreamFlags.GoAway) != 0) flags.Add(ExchangeFlags.GoAway);
        if ((s.Flags & Http2StreamFlags.ContextLost) != 0) flags.Add(ExchangeFlags.ContextLost);

        string serverAddress = side == "client" ? conn.Remote : conn.Local;
        string? authority = upgraded ? upgradeRequest!.Header("Host") : s.Authority;
        // Who moved the request (else the response), as for HTTP/1: a forking server's child, where the connection names the parent.
        long pid = (upgraded ? client.Timeline.PidAt(upgradeRequest!.StartOffset) : requestView.PidAt(s.RequestStartOffset))
                   ?? server.PidAt(s.ResponseStartOffset) ?? conn.Pid;
        return new Exchange
        {
            ConnectionId = conn.Id,
            StartNs = start.Value,
            Timestamp = run.WallClock(start.Value),
            DurationMs = Math.Max(0, end - start.Value) / 1e6,
            // A response whose start the capture lost began before anything seen of it.
            TtfbMs = firstResponse is { } first && !s.ResponseStartLost ? Math.Max(0, first - start.Value) / 1e6 : null,
            FinalResponseMs = server.TimeAt(s.FinalResponseOffset) is { } final ? Math.Max(0, final - start.Value) / 1e6 : null,
            RequestSentMs = requestEnd is { } sent ? Math.Max(0, sent - start.Value) / 1e6 : null,
            Method = upgraded ? upgradeRequest!.Method : s.Method,
            Host = authority ?? serverAddress,
            NoHostSent = authority is null,
            Path = upgraded ? upgradeRequest!.Target : s.Path,
            Status = s.Status,
            RequestLine = neverOpened ? StartLine.Absent
                : upgraded ? StartLine.Read
                : s.RequestFieldsOverLimit is not null ? StartLine.NotDecoded
                : s.RequestFieldsInterrupted ? StartLine.NotParsed : StartLine.Read,
            StatusLine = notHttp2?.StatusLineFor(isAnswered: firstOnConnection) ??
                         (s.ResponseFieldsOverLimit is not null ? StartLine.NotDecoded
                          : s.ResponseFieldsInterrupted ? StartLine.NotParsed : StartLine.Read),
            Reason = notHttp2?.ReasonFor(isAnswered: firstOnConnection),
            Note = neverOpened ? NeverOpenedNote(s) : Notes(OverLimitNote(s) ?? notHttp2?.Note ?? s.Violation, CutNote(s)),
            Pid = pid,
            Comm = run.CommOf(conn, pid),
            Side = side,
            Protocol = "h2",
            Tls = conn.Tls,
            RequestBytes = upgraded ? upgradeRequest!.BodyBytes : s.RequestBodyBytes, // stream 1 of an h2c upgrade: the HTTP/1 request's body
            ResponseBytes = s.ResponseBodyBytes,
            Flags = flags,
            Local = conn.Local,
            Remote = conn.Remote,
            StreamId = s.StreamId,
            ResetError = reset ? Http2ErrorCodes.Name(s.ResetErrorCode!.Value) : null,
            Grpc = s.IsGrpc ? new GrpcCall(s.GrpcService, s.GrpcMethod, s.GrpcStatus, s.GrpcMessage, s.RequestMessages, s.ResponseMessages) : null,
            HttpVersion = "HTTP/2",
            RequestHeaders = upgraded ? upgradeRequest!.Headers : s.RequestHeaders,
            ResponseHeaders = s.ResponseHeaders,
            RequestTrailers = s.RequestTrailers,
            ResponseTrailers = s.ResponseTrailers,
            RequestBodyBytes = upgraded ? upgradeRequest!.BodyBytes : s.RequestBodyBytes,
            ResponseBodyBytes = s.ResponseBodyBytes,
            RequestBody = upgraded ? upgradeRequest!.BodyPreview : s.RequestBodyPreview,
            ResponseBody = s.ResponseBodyPreview,
        };
    }

    /// <summary>Why `show` has no fields for a message whose field block was over our own limit: the flags say nothing
    /// (the capture lost nothing, the peer broke no rule), yet the user must know the fields exist and how to see them.</summary>
    private static string? OverLimitNote(Http2Stream s)
    {
        var notes = new List<string>();
        if (s.RequestFieldsOverLimit is { } request) notes.Add(OverLimitNote("request", request));
        if (s.ResponseFieldsOverLimit is { } response) notes.Add(OverLimitNote("response", response));
        return notes.Count > 0 ? string.Join("; ", notes) : null;
    }

    /// <summary>Why `show` lacks fields of a message whose field block was cut: the flags say bytes went missing, not
    /// that the fields listed are only those before the cut.</summary>
    private static string? CutNote(Http2Stream s)
    {
        string? message = (s.RequestFieldsCut, s.ResponseFieldsCut) switch
        {
            (true, true) => "request and response field blocks",
            (true, false) => "request field block",
            (false, true) => "response field block",
            _ => null,
        };
        return message is null ? null : $"{message} not captured whole: the fields shown are those before the cut, the rest are unknown";
    }

    private static string? Notes(params string?[] notes) =>
        string.Join("; ", notes.OfType<string>()) is { Length: > 0 } joined ? joined : null;

    private static string OverLimitNote(string message, Http2FieldBlockOverLimit over) =>
        $"{message} field block of {over.Bytes} bytes is over --max-header-block-kb {over.LimitBytes / 1024}: its fields were not decoded";

    /// <summary>What `show` says of a stream no request opened (RFC 9113 §5.1: a frame on an idle stream).</summary>
    private static string NeverOpenedNote(Http2Stream s)
    {
        string opener = s.StreamId % 2 == 1 ? "client" : "server";
        string frame = s.FrameOnIdleStream is { } f
            ? f.FromClient == (opener == "client") ? f.Type : $"{f.Type} from the {(f.FromClient ? "client" : "server")}"
            : "DATA";
        return $"{frame} on stream {s.StreamId}, which the {opener} never opened (RFC 9113 §5.1: a connection error)";
    }

    private static long? IdleFrameTime(Http2Stream s, StreamView client, StreamView server) =>
        s.FrameOnIdleStream is { } f ? (f.FromClient ? client : server).TimeAt(f.Offset) : null;
}
