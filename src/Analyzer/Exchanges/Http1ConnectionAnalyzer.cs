using Capture.Analyzer.Http1;
using Capture.Analyzer.Http2;
using Capture.Analyzer.Reassembly;
using Capture.Analyzer.Recording;
using Microsoft.Data.Sqlite;

namespace Capture.Analyzer.Exchanges;

/// <summary>Turns one HTTP/1.x connection's two byte streams into exchanges: parse the request stream,
/// then the response stream (it needs the request methods: HEAD has no body), pair them in order
/// (pipelining keeps order), and time them from the byte timelines. A 101 to `Upgrade: h2c` hands the
/// rest of both streams to HTTP/2, whose stream 1 answers the upgrading request.</summary>
internal sealed class Http1ConnectionAnalyzer(SqliteConnection db, RunInfo run, ParserLimits limits)
{
    private const int Egress = 0, Ingress = 1;

    public IEnumerable<Exchange> Analyze(ConnectionRow conn, string side)
    {
        int requestDirection = side == "client" ? Egress : Ingress;

        var requests = new Http1StreamParser(Http1MessageKind.Request, limits.Http1);
        var requestTimeline = DirectionStream.Replay(db, conn, requestDirection, b => requests.Feed(b), requests.Gap, requests.Uncaptured);
        requests.End();
        requestTimeline.LostNoMessage = requests.HoleWithinBody;
        var requestList = requests.Messages;
        var requestJunk = JunkAfterMessages(requests).ToList();
        var overruns = requestJunk.Select(j => j.Offset).ToHashSet();
        bool IsOverrun(Http1Message request) => request.Method is null && overruns.Contains(request.StartOffset);

        var responses = new Http1StreamParser(Http1MessageKind.Response, limits.Http1);
        // Whether the server answered an overrun is settled by Http1Pairing once all answers are known. While they are
        // parsed, a request's method matters only for HEAD and CONNECT, and the answer to an overrun is a refusal, which
        // opens no tunnel: the next request's method is the better guess.
        var answerable = requestList.Where(m => !IsOverrun(m)).ToList();
        int finalResponses = 0, scanned = 0;
        responses.RequestMethodForNextResponse = () =>
        {
            // Count final responses parsed so far (1xx are interim and answer no request on their own).
            for (; scanned < responses.Messages.Count; scanned++)
                if (IsFinal(responses.Messages[scanned])) finalResponses++;
            return finalResponses < answerable.Count ? answerable[finalResponses].Method : null;
        };
        var serverH2 = new Http2Handoff(clientToServer: false, limits.Http2);
        var responseTimeline = DirectionStream.Replay(db, conn, 1 - requestDirection, b =>
        {
            responses.Feed(b);
            serverH2.Feed(b);
            if (serverH2.Origin < 0 && responses.Upgraded && responses.Messages.LastOrDefault() is { Status: 101 } switching &&
                Http2Handoff.IsH2cUpgrade(switching.Header("Upgrade")))
            {
                // The bytes after the 101 in this very span are the server's first HTTP/2 frames.
                serverH2.StartAt(responses.UpgradeOffset, b);
            }
        }, lost => { responses.Gap(lost); serverH2.Gap(lost); }, uncaptured => { responses.Uncaptured(uncaptured); serverH2.Gap(uncaptured); });
        responses.End();
        responseTimeline.LostNoMessage = responses.HoleWithinBody;
        serverH2.Parser.End();

        var finals = FinalResponses(responses.Messages);
        // A request line that did not parse stands for a request the server answered (RFC 9112 §3); where nothing was
        // answered as HTTP, such bytes were most likely never HTTP (a database's protocol under --all-tcp): no exchange.
        var httpRequests = requestList.Where(m => m.Method is not null || finals.Count > 0).ToList();
        var answers = finals.Select(f => new Http1Pairing.Answer(f.Message?.Status, responseTimeline.TimestampAt(f.FirstByteOffset))).ToList();
        var pairs = Http1Pairing.Match(httpRequests, answers, IsOverrun, r => requestTimeline.TimestampAt(r.StartOffset));
        // One exchange with neither message, flagged gap, rather than nothing at all.
        if (requestList.Count == 0 && responses.Messages.Count == 0 && LostWhole(conn, requestTimeline, responseTimeline))
            pairs.Add(new Http1Pairing.Pair(null, null));
        // Once an answer switched protocols (a 2xx to CONNECT opens a tunnel, a 101 upgrades), the client's bytes after
        // its request are the other protocol's, TLS records most often: neither requests nor junk after a request.
        long switchedAt = SwitchedAfter(pairs, httpRequests, finals);
        pairs.RemoveAll(p => p.Request is { } r && httpRequests[r].StartOffset >= switchedAt);
        var suspect = new HashSet<Http1Message>(requestJunk.Where(j => j.Offset < switchedAt).Concat(JunkAfterMessages(responses)).Select(j => j.Before),
            ReferenceEqualityComparer.Instance);
        int upgradePair = serverH2.Origin >= 0 ? pairs.FindIndex(p => p.Answer == finals.Count - 1 && p.Request is not null) : -1;
        if (upgradePair >= 0)
            return AnalyzeH2c(conn, side, requestDirection, httpRequests, finals, pairs, upgradePair, suspect, requestTimeline, responseTimeline, serverH2);

        return Exchanges(conn, side, httpRequests, finals, pairs, suspect, requestTimeline, responseTimeline);
    }

    private IEnumerable<Exchange> AnalyzeH2c(ConnectionRow conn, string side, int requestDirection, List<Http1Message> requests, List<FinalResponse> finals,
        List<Http1Pairing.Pair> pairs, int upgradePair, HashSet<Http1Message> suspect, ByteTimeline requestTimeline, ByteTimeline responseTimeline, Http2Handoff serverH2)
    {
        var upgradeRequest = requests[pairs[upgradePair].Request!.Value];
        var clientH2 = new Http2Handoff(clientToServer: true, limits.Http2);
        clientH2.StartAt(upgradeRequest.EndOffset);
        clientH2.Parser.FollowPeerSettings(serverH2.Parser.SettingsSent);
        DirectionStream.Replay(db, conn, requestDirection, clientH2.Feed, clientH2.Gap);
        clientH2.Parser.End();
        // The server's HTTP/2 bytes were parsed with the HTTP/1 responses, before the client's settings were known:
        // when those settings (in the upgrade request, or in SETTINGS frames) set a limit, parse them again under it.
        var upgradeSettings = Http2Handoff.UpgradeSettings(upgradeRequest.Header("HTTP2-Settings"));
        if (upgradeSettings?.SetsDecodingLimits == true || clientH2.Parser.SettingsSent.Any(s => s.SetsDecodingLimits))
        {
            var again = new Http2Handoff(clientToServer: false, limits.Http2);
            again.StartAt(serverH2.Origin);
            again.Parser.FollowPeerSettings(clientH2.Parser.SettingsSent);
            if (upgradeSettings is not null) again.Parser.ApplyPeerSettings(upgradeSettings);
            DirectionStream.Replay(db, conn, 1 - requestDirection, again.Feed, again.Gap);
            again.Parser.End();
            serverH2 = again;
        }

        foreach (var exchange in Exchanges(conn, side, requests, finals, pairs[..upgradePair], suspect, requestTimeline, responseTimeline))
            yield return exchange;
        var streams = Http2ExchangeAssembler.Assemble(clientH2.Parser, serverH2.Parser, upgraded: true);
        var client = new StreamView(requestTimeline, clientH2.Origin);
        var server = new StreamView(responseTimeline, serverH2.Origin);
        var times = new Http2StreamTimes(clientH2.Parser.Events, client, serverH2.Parser.Events, server);
        foreach (var stream in streams.Where(s => !run.IsDenied(conn, s.StreamId)))
            yield return Http2ExchangeBuilder.Build(run, conn, side, stream, client, server, times, upgradeRequest, firstOnConnection: upgradePair == 0 && stream.StreamId == 1);
    }

    /// <param name="suspect">Messages followed by bytes that start no message (see <see cref="JunkAfterMessages"/>).</param>
    private IEnumerable<Exchange> Exchanges(ConnectionRow conn, string side, List<Http1Message> requests, List<FinalResponse> finals,
        List<Http1Pairing.Pair> pairs, HashSet<Http1Message> suspect, ByteTimeline requestTimeline, ByteTimeline responseTimeline)
    {
        foreach (var (i, pair) in pairs.Index())
        {
            var request = pair.Request is { } r ? requests[r] : null;
            var response = pair.Answer is { } a ? finals[a] : null;
            yield return Build(conn, side, request, response, suspect, requestTimeline, responseTimeline, i == 0);
        }
    }

    /// <summary>Bytes that start no message, where one should (at <see cref="Junk.Offset"/>), right after a message.</summary>
    private readonly record struct Junk(long Offset, Http1Message Before);

    /// <summary>
    /// Bytes after a message, before the next one, that start no message: a body longer than its Content-Length said, most
    /// often, so the message before them (<see cref="Junk.Before"/>) has suspect framing and its exchange is flagged
    /// malformed. On the request side they are an overrun for <see cref="Http1Pairing"/>. (Empty lines between messages
    /// are allowed, RFC 9112 §2.2, and are no error.)
    /// </summary>
    private static IEnumerable<Junk> JunkAfterMessages(Http1StreamParser parser)
    {
        foreach (long offset in parser.NoMessageStarts)
        {
            int before = parser.Messages.FindLastIndex(m => m.EndOffset <= offset);
            if (before >= 0) yield return new Junk(offset, parser.Messages[before]);
        }
    }

    /// <summary>Request stream offset where HTTP/1 ends: the end of the request whose answer, the last final response,
    /// switched protocols; long.MaxValue when none did.</summary>
    private static long SwitchedAfter(List<Http1Pairing.Pair> pairs, List<Http1Message> requests, List<FinalResponse> finals) =>
        finals.Count > 0 && finals[^1].Message is { } last && last.Flags.HasFlag(Http1MessageFlags.Upgrade) &&
        pairs.Find(p => p.Answer == finals.Count - 1).Request is { } switching
            ? requests[switching].EndOffset
            : long.MaxValue;

    /// <summary>Whether bytes moved on a connection that holds no message: a full ring dropped its open and every byte, and
    /// only its close counted them. A plaintext connection's counts are holes in its streams; a TLS connection's count
    /// ciphertext, and tell only that plaintext moved, when none at all was captured.</summary>
    private static bool LostWhole(ConnectionRow conn, ByteTimeline requests, ByteTimeline responses) =>
        requests.LostBefore(long.MaxValue) || responses.LostBefore(long.MaxValue) ||
        conn.Tls && requests.HoldsNoChunk && responses.HoldsNoChunk && conn.Closed_Ns is not null && (conn.Bytes_Sent > 0 || conn.Bytes_Received > 0);

    private static bool IsFinal(Http1Message m) => m.Status is null or >= 200 or 101;

    /// <summary>A final response and the interim (1xx) responses before it, such as 100 Continue or 103 Early Hints:
    /// the answer to its request began with the first of them. The last answer on a connection may be interim responses
    /// only (no <see cref="Message"/>): the final one never came, and they still answer their request.</summary>
    private sealed record FinalResponse(Http1Message? Message, List<Http1Message> Interim)
    {
        public long FirstByteOffset => Interim.Count > 0 ? Interim[0].StartOffset : Message!.StartOffset;
        public long EndOffset => Message?.EndOffset ?? Interim[^1].EndOffset;
    }

    private static List<FinalResponse> FinalResponses(IEnumerable<Http1Message> responses)
    {
        var finals = new List<FinalResponse>();
        var interim = new List<Http1Message>();
        foreach (var message in responses)
        {
            if (!IsFinal(message))
            {
                interim.Add(message);
                continue;
            }
            finals.Add(new FinalResponse(message, interim));
            interim = [];
        }
        if (interim.Count > 0) finals.Add(new FinalResponse(null, interim));
        return finals;
    }

    private Exchange Build(ConnectionRow conn, string side, Http1Message? request, FinalResponse? answer,
        HashSet<Http1Message> suspect, ByteTimeline requestTimeline, ByteTimeline responseTimeline, bool firstOnConnection)
    {
        var response = answer?.Message;
        long responseStart = answer?.FirstByteOffset ?? 0;
        var flags = new List<string>();
        long? start = request is not null ? requestTimeline.TimestampAt(request.StartOffset) : null;
        long? requestEnd = request is not null ? requestTimeline.TimestampAt(Math.Max(request.StartOffset, request.EndOffset - 1)) : null;
        long? firstResponseByte = answer is not null ? responseTimeline.TimestampAt(responseStart) : null;
        long? finalResponseByte = response is not null ? responseTimeline.TimestampAt(response.StartOffset) : null;
        long? lastResponseByte = response is not null ? responseTimeline.TimestampAt(Math.Max(response.StartOffset, response.EndOffset - 1)) : null;
        start ??= firstResponseByte ?? conn.Opened_Ns;

        // Unfinished: a message cut off, or a request never answered. A whole response whose request was not captured
        // (an unsolicited 408, or a connection joined mid-way) is flagged no_request only. A request that expected
        // 100 (Continue) and got a final status instead sent no content, as it should (RFC 9110 §10.1.1): it is over.
        bool contentRefused = request is not null && request.Flags.HasFlag(Http1MessageFlags.ContentNotSent) && response?.Status >= 200;
        bool unfinished = request is not null && (request.Flags.HasFlag(Http1MessageFlags.Incomplete) && !contentRefused || response is null) ||
                          response is not null && (response.Flags.HasFlag(Http1MessageFlags.Incomplete) || EndedWithRecording(response, conn));
        // An answer may come before its request was all sent (a 401 or 413 to an upload): the exchange lasts until both were.
        long end = lastResponseByte is { } last ? Math.Max(last, requestEnd ?? last) : conn.Closed_Ns ?? run.LastTimestampNs ?? start.Value;
        if (unfinished) flags.Add(ExchangeFlags.Incomplete);
        if (request is null) flags.Add(ExchangeFlags.NoRequest);

        bool gap = false, truncated = false, malformed = false;
        foreach (var (message, timeline) in new[] { (request, requestTimeline), (response, responseTimeline) })
        {
            if (message is null) continue;
            var missing = timeline.MissingIn(message.StartOffset, message.EndOffset);
            gap |= missing.Gap || message.Flags.HasFlag(Http1MessageFlags.Gap) && !missing.Truncated;
            truncated |= missing.Truncated;
            malformed |= message.Flags.HasFlag(Http1MessageFlags.Malformed) || suspect.Contains(message);
        }
        // Requests and responses pair by their order. Once bytes were lost, a message lost whole would shift every later
        // pair without a trace in the messages themselves: the exchanges after the first hole are flagged too, and so is
        // one that lacks a message its direction may have lost. A hole wholly inside one body of known length (a body
        // spliced off the socket, a dropped piece of a large upload) lost no message: it flags only its own exchange.
        gap |= (request is null ? requestTimeline.LostBefore(long.MaxValue) : requestTimeline.LostBefore(request.StartOffset)) ||
               (response is null ? responseTimeline.LostBefore(long.MaxValue) : responseTimeline.LostBefore(responseStart)) ||
               request is null && answer is null; // it stands for a connection whose every byte was lost (LostWhole)
        if (truncated) flags.Add(ExchangeFlags.Truncated);
        if (gap) flags.Add(ExchangeFlags.Gap);
        if (malformed) flags.Add(ExchangeFlags.Malformed);
        if (firstOnConnection && conn.Mid_Stream != 0) flags.Add(ExchangeFlags.MidStream);

        var (host, path) = Target(request);
        string serverAddress = side == "client" ? conn.Remote : conn.Local;
        // Who moved the request (else the response): a forking server's child, where the connection names the parent.
        long pid = (request is not null ? requestTimeline.PidAt(request.StartOffset) : responseTimeline.PidAt(responseStart)) ?? conn.Pid;
        return new Exchange
        {
            ConnectionId = conn.Id,
            StartNs = start.Value,
            Timestamp = run.WallClock(start.Value),
            DurationMs = Math.Max(0, end - start.Value) / 1e6,
            TtfbMs = firstResponseByte is { } first ? Math.Max(0, first - start.Value) / 1e6 : null,
            FinalResponseMs = finalResponseByte is { } final ? Math.Max(0, final - start.Value) / 1e6 : null,
            RequestSentMs = requestEnd is { } sent ? Math.Max(0, sent - start.Value) / 1e6 : null,
            Method = request?.Method,
            RequestLine = request is { Method: null } ? Unread(request) : StartLine.Read,
            Host = host ?? serverAddress,
            NoHostSent = host is null,
            Path = path,
            Status = response?.Status,
            StatusLine = response is { Status: null } ? Unread(response) : StartLine.Read,
            Pid = pid,
            Comm = run.CommOf(conn, pid),
            Side = side,
            Protocol = "http/1.1",
            Tls = conn.Tls,
            RequestBytes = request is null ? 0 : request.EndOffset - request.StartOffset,
            ResponseBytes = answer is null ? 0 : answer.EndOffset - responseStart,
            Flags = flags,
            Local = conn.Local,
            Remote = conn.Remote,
            HttpVersion = request is { Version.Length: > 0 } ? request.Version : response?.Version,
            ResponseHttpVersion = response is { Version.Length: > 0 } ? response.Version : null,
            Reason = response?.Reason,
            RequestHeaders = request?.Headers ?? [],
            ResponseHeaders = response?.Headers ?? [],
            RequestTrailers = request?.Trailers ?? [],
            ResponseTrailers = response?.Trailers ?? [],
            InterimResponses = answer?.Interim.Select(m => new InterimResponse(m.Status ?? 0, m.Reason, m.Headers)).ToList() ?? [],
            RequestBodyBytes = request?.BodyBytes ?? 0,
            ResponseBodyBytes = response?.BodyBytes ?? 0,
            RequestBody = request?.BodyPreview ?? [],
            ResponseBody = response?.BodyPreview ?? [],
            Note = FaultNote(request, response, suspect),
        };
    }

    /// <summary>What the parser found wrong in the request and the response, for `show`: `malformed` alone does not say whether
    /// a body was framed two ways (the request smuggling pattern), a field was folded, a chunk broken, or a body ran long.</summary>
    private static string? FaultNote(Http1Message? request, Http1Message? response, HashSet<Http1Message> suspect)
    {
        var faults = Faults("request", request, suspect).Concat(Faults("response", response, suspect)).ToList();
        return faults.Count == 0 ? null : string.Join("; ", faults);
    }

    private static IEnumerable<string> Faults(string which, Http1Message? message, HashSet<Http1Message> suspect)
    {
        if (message is null) yield break;
        foreach (var fault in message.Faults.Distinct()) yield return $"{which}: {fault}";
        if (suspect.Contains(message)) yield return $"{which}: bytes after it start no message: its body may be longer than its framing said";
    }

    /// <summary>Why a message has no start line: the parser reports one that did not parse malformed, and one that began
    /// in uncaptured bytes with a gap.</summary>
    private static StartLine Unread(Http1Message message) =>
        message.Flags.HasFlag(Http1MessageFlags.Malformed) ? StartLine.NotParsed : StartLine.NotCaptured;

    /// <summary>A body delimited by the connection's close (RFC 9112 §6.3 item 8) on a connection still open when the
    /// recording ended: the stream's end is where the recording stopped, not the body's.</summary>
    private static bool EndedWithRecording(Http1Message response, ConnectionRow conn) =>
        response.Flags.HasFlag(Http1MessageFlags.CloseDelimited) && conn.Closed_Ns is null;

    /// <summary>Host from the Host header (or an absolute-form target, as sent, or CONNECT's authority-form one, which names
    /// a host and no path: RFC 9112 §3.2.3); null when the request named none.</summary>
    private static (string? Host, string? Path) Target(Http1Message? request)
    {
        if (request?.Target is not { } target) return (null, null);
        if (request.Method == "CONNECT") return (target, "");
        if (AbsoluteForm.TrySplit(target, out var absoluteHost, out var absolutePath)) return (absoluteHost, absolutePath);
        return (request.Header("Host"), target);
    }
}
