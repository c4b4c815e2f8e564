namespace Capture.Analyzer.Http2;

/// <summary>
/// Pairs the events of a connection's two directions into <see cref="Http2Stream"/> records: one per stream
/// that carried a field block or DATA in either direction (pushed streams included), ordered by stream id.
/// Offsets of the two directions are not comparable, so everything here is decided per direction; the caller
/// maps offsets to times.
/// </summary>
internal static class Http2ExchangeAssembler
{
    /// <param name="upgraded">The connection began as HTTP/1 and was upgraded (h2c): the HTTP/1 request opened stream 1.</param>
    public static List<Http2Stream> Assemble(Http2DirectionParser clientToServer, Http2DirectionParser serverToClient, bool upgraded = false) =>
        Assemble(clientToServer.Events, serverToClient.Events, clientToServer.Errors, serverToClient.Errors,
                 Math.Max(clientToServer.Limits.PreviewBytesPerStream, serverToClient.Limits.PreviewBytesPerStream), upgraded);

    /// <param name="previewBytes">Most body octets kept per stream and direction (the parsers' own bound).</param>
    public static List<Http2Stream> Assemble(IReadOnlyList<Http2Event> clientToServer, IReadOnlyList<Http2Event> serverToClient,
        IReadOnlyList<Http2ParseError>? clientErrors = null, IReadOnlyList<Http2ParseError>? serverErrors = null, int? previewBytes = null,
        bool upgraded = false)
    {
        var streams = new SortedDictionary<int, StreamBuilder>();
        int preview = previewBytes ?? Http2Limits.Default.PreviewBytesPerStream;
        StreamBuilder Get(int id)
        {
            if (!streams.TryGetValue(id, out var builder)) streams.Add(id, builder = new StreamBuilder(id, preview));
            return builder;
        }

        var client = Replay(clientToServer, clientErrors ?? [], fromClient: true, upgraded, Get);
        var server = Replay(serverToClient, serverErrors ?? [], fromClient: false, upgraded, Get);
        foreach (var error in (clientErrors ?? []).Concat(serverErrors ?? []))
        {
            // A block over our own limit is no fault of the sender's: its event says so.
            if (error.StreamId != 0 && error.Code != Http2ErrorCode.HeaderBlockTooLarge &&
                streams.TryGetValue(error.StreamId, out var builder))
            {
                builder.Malformed = true;
                builder.FrameError ??= Http2RuleSection.Cited(error);
            }
        }
        var clientUnread = FirstUnreadFrames(clientErrors ?? []);
        var serverUnread = FirstUnreadFrames(serverErrors ?? []);
        foreach (var stream in streams.Values)
        {
            // §5.1: on a stream still idle its initiator's peer may send no frame but PRIORITY. With every frame of the
            // initiator's captured, from its first on, no field block (or promise) of the initiator's can hide in a hole; a
            // field block the parser could not read (an error on the stream) opened it all the same, and after an h2c
            // upgrade the HTTP/1 request opened stream 1. Offsets of the two directions are not comparable, so the
            // initiator's whole direction counts. A RST_STREAM or WINDOW_UPDATE alone makes the stream an exchange of its
            // own: the error must show.
            if (stream.NeverOpened) continue; // its initiator's own frame on it already showed it idle (see Replay)
            bool clientOpens = stream.Id % 2 == 1;
            var (initiator, initiatorUnread) = clientOpens ? (client, clientUnread) : (server, serverUnread);
            if (stream.PeerFrameOnIdleStream is not null && !(upgraded && stream.Id == 1) && !stream.IsPush && initiator.FramesSeen &&
                initiator.Order.SurelyIdle(stream.Id) && !initiatorUnread.ContainsKey(stream.Id))
            {
                stream.NeverOpened = true;
                stream.Malformed = true;
                stream.FrameOnIdleStream = stream.PeerFrameOnIdleStream;
            }
        }

        return streams.Values
            .Where(s => s.Request.HasFrames || s.Response.HasFrames || s.NeverOpened)
            .Select(s => s.Build(client, server))
            .ToList();
    }

    /// <summary>What one direction said about the connection as a whole.</summary>
    private sealed class DirectionSummary
    {
        /// <summary>Lowest Last-Stream-ID of the GOAWAY frames this side sent, or null.</summary>
        public int? GoAwayLastStreamId;
        public bool GoAwayWithError;
        /// <summary>Offset ranges of this direction where frames were lost or skipped.</summary>
        public readonly List<(long Start, long End)> Lost = [];
        /// <summary>The ids of the streams this side opened, and whether any of its frames were lost.</summary>
        public readonly StreamIdOrder Order = new();
        /// <summary>Any frame of this side's was read.</summary>
        public bool FramesSeen;
        /// <summary>The capture joined the connection after this side's start: its first frames were not seen.</summary>
        public bool JoinedMidConnection;

        /// <summary>Frames of this side may have been lost before <paramref name="offset"/>.</summary>
        public bool LostBefore(long offset) => JoinedMidConnection || Lost.Any(l => l.Start < offset);
    }

    private static DirectionSummary Replay(IReadOnlyList<Http2Event> events, IReadOnlyList<Http2ParseError> errors, bool fromClient,
        bool upgraded, Func<int, StreamBuilder> get)
    {
        var summary = new DirectionSummary();
        var order = summary.Order;
        var unreadFrames = FirstUnreadFrames(errors);
        bool anyFrames = false;

        // §5.1: a frame other than a field block or PRIORITY on a stream still idle is a connection error. On a stream
        // its sender opens (clients odd ids, servers even ones), the sender's own frames up to it say whether it is idle:
        // no field block of the sender's on it, none lost before (a field block the parser could not read opened it all
        // the same), and after an h2c upgrade the HTTP/1 request opened stream 1. On a stream its peer opens, only the
        // peer's whole direction can say: that is for Assemble to judge.
        void OnIdleStream(StreamBuilder stream, string type, long offset)
        {
            bool sendersOwn = fromClient == (stream.Id % 2 == 1);
            if (!sendersOwn)
            {
                stream.PeerFrameOnIdleStream ??= new Http2IdleStreamFrame(type, fromClient, offset);
                return;
            }
            if (order.SurelyIdle(stream.Id) && !(fromClient && upgraded && stream.Id == 1) &&
                !(unreadFrames.TryGetValue(stream.Id, out long unread) && unread < offset))
            {
                stream.NeverOpened = true;
                stream.Malformed = true;
                stream.FrameOnIdleStream ??= new Http2IdleStreamFrame(type, fromClient, offset);
            }
        }

        foreach (var e in events)
        {
            switch (e)
            {
                case Http2HeadersEvent { IsPushPromise: true } push when !fromClient:
                    // Only the server pushes, and only onto even streams (RFC 9113 §5.1.1, §8.4).
                    if (push.PromisedStreamId <= 0 || push.PromisedStreamId % 2 != 0) break;
                    anyFrames = true;
                    var pushed = get(push.PromisedStreamId);
                    pushed.JudgeOrder(order, "promised");
                    pushed.IsPush = true;
                    pushed.AssociatedStreamId = push.StreamId;
                    pushed.Request.AddHeaders(push, isResponse: false);
                    pushed.Request.Ended = true; // a promised request has no body (RFC 9113 §8.4.1)
                    break;
                case Http2HeadersEvent headers when !headers.IsPushPromise:
                    anyFrames = true;
                    var stream = get(headers.StreamId);
                    // Of the field blocks, only the client's on odd ids open streams (RFC 9113 §5.1.1); the server's pushes open with their promise.
                    bool opening = fromClient && headers.StreamId % 2 == 1;
                    if (opening) stream.JudgeOrder(order, "opened");
                    if (!opening) order.Seen(headers.StreamId);
                    // The client's on an even stream is an error of its own (the parser's); the server's on a client stream
                    // never opened is the peer's frame on an idle stream.
                    if (!fromClient && headers.StreamId % 2 == 1) stream.PeerFrameOnIdleStream ??= new Http2IdleStreamFrame("HEADERS", false, headers.Offset);
                    Half(stream, fromClient).AddHeaders(headers, isResponse: !fromClient);
                    break;
                case Http2DataEvent data:
                    anyFrames = true;
                    var dataStream = get(data.StreamId);
                    OnIdleStream(dataStream, "DATA", data.Offset);
                    order.Seen(data.StreamId);
                    Half(dataStream, fromClient).AddData(data);
                    break;
                case Http2ResetEvent reset:
                    anyFrames = true;
                    var resetStream = get(reset.StreamId);
                    OnIdleStream(resetStream, "RST_STREAM", reset.Offset);
                    order.Seen(reset.StreamId);
                    resetStream.ResetErrorCode ??= reset.ErrorCode;
                    break;
                case Http2WindowUpdateEvent windowUpdate:
                    anyFrames = true;
                    OnIdleStream(get(windowUpdate.StreamId), "WINDOW_UPDATE", windowUpdate.Offset);
                    order.Seen(windowUpdate.StreamId);
                    break;
                case Http2GoAwayEvent goAway:
                    anyFrames = true;
                    summary.GoAwayLastStreamId = Math.Min(summary.GoAwayLastStreamId ?? int.MaxValue, goAway.LastStreamId);
                    summary.GoAwayWithError |= goAway.ErrorCode != 0;
                    break;
                case Http2GapEvent { FramingLost: false } gap:
                    if (gap.StreamId == 0) break;
                    order.Seen(gap.StreamId);
                    Half(get(gap.StreamId), fromClient).Gap = true;
                    break;
                // Octets missed before the first frame of a capture that joined mid-connection (a leading gap, or
                // the skip to the first frame boundary) belong to no stream the capture can report.
                case Http2GapEvent gap:
                    order.FramesLost();
                    if (anyFrames || gap.Offset > 0) summary.Lost.Add((gap.Offset, gap.Offset + gap.Length));
                    else summary.JoinedMidConnection = true;
                    break;
                case Http2ResyncEvent resync:
                    order.FramesLost();
                    if (anyFrames || summary.Lost.Count > 0) summary.Lost.Add((resync.Offset - resync.SkippedBytes, resync.Offset));
                    else summary.JoinedMidConnection = true;
                    break;
                default:
                    anyFrames = true;
                    break;
            }
        }
        summary.FramesSeen = anyFrames;
        return summary;
    }

    /// <summary>
    /// The offset of each stream's first frame that the parser reported an error for: one it may have dropped unread, a
    /// field block that opened the stream. A field block another frame interrupted (§6.10) is reported at the interrupting
    /// frame, and began before it: one less says so. A CONTINUATION that continues no block is no field block, and opens
    /// nothing (§5.1): its error is not one.
    /// </summary>
    private static Dictionary<int, long> FirstUnreadFrames(IReadOnlyList<Http2ParseError> errors)
    {
        var first = new Dictionary<int, long>();
        foreach (var error in errors)
        {
            if (error.StreamId == 0 || error.Code == Http2ErrorCode.UnexpectedContinuation) continue;
            first.TryAdd(error.StreamId, error.Code == Http2ErrorCode.ContinuationExpected ? error.Offset - 1 : error.Offset);
        }
        return first;
    }

    /// <summary>The client sends requests on its streams; a pushed stream's request half is filled from the PUSH_PROMISE.</summary>
    private static HalfBuilder Half(StreamBuilder stream, bool fromClient) => fromClient ? stream.Request : stream.Response;

    /// <summary>One direction of one stream.</summary>
    private sealed class HalfBuilder(int previewLimit)
    {
        public IReadOnlyList<KeyValuePair<string, string>>? Headers;
        public IReadOnlyList<KeyValuePair<string, string>>? Trailers;
        public long? Start, End;
        public bool Ended, HasFrames, Gap, ContextLost, Malformed;
        /// <summary>DATA came before the header section (§8.1: a message begins with it; an interim 1xx is not it).</summary>
        public bool DataBeforeHeaders;
        /// <summary>A field block came on this half, whatever became of it (an interim response's, one after the end).</summary>
        public bool FieldBlockSeen;
        /// <summary>A field block of this half that was over the parser's limit, not decoded.</summary>
        public Http2FieldBlockOverLimit? OverLimit;
        /// <summary>A field block of this half that another frame interrupted (§6.10), not decoded.</summary>
        public bool Interrupted;
        /// <summary>Where a field block of this half that was not captured whole stopped (its fields are those before): a hole
        /// that begins there is in the message, though its frames seen end before it.</summary>
        public long? CutAt;
        /// <summary>Where the message's first header section began (an interim 1xx one's, or one another frame interrupted),
        /// and where its final one did; null while none was seen. Trailers begin nothing.</summary>
        public long? HeadStart, FinalHeadStart;
        /// <summary>The first rule of RFC 9113 §8 a field section of this half broke, in words (it is malformed).</summary>
        public string? Violation;
        public long BodyBytes;
        public int Messages;
        private readonly List<byte> _preview = [];

        public byte[] Preview => [.. _preview];

        public void AddHeaders(Http2HeadersEvent e, bool isResponse)
        {
            bool first = !FieldBlockSeen;
            FieldBlockSeen = true;
            OverLimit ??= e.OverLimit;
            if (SentAfterEnd(e.IsPushPromise ? "PUSH_PROMISE" : "HEADERS")) return;
            Frame(e.Offset, e.EndOffset, e.EndStream);
            ContextLost |= e.ContextLost;
            Malformed |= e.Malformed;
            if (e.Cut) CutAt ??= e.EndOffset;
            if (e.InterruptedBy is { } by)
            {
                // The message was sent (its block opened the stream), only its fields are unknown.
                Interrupted = true;
                HeadStart ??= e.Offset;
                Judge($"field block interrupted by a {by} before its end (RFC 9113 §6.10: a connection error): its fields were not decoded");
                Headers ??= e.Headers;
                return;
            }
            // Fields not all known cannot be judged missing.
            bool whole = !e.Cut && !e.ContextLost && !e.Malformed && e.OverLimit is null;
            if (Headers is not null)
            {
                // §8.1: after the header section only a trailer section may come, and it ends the stream.
                if (e.EndStream) Trailers = e.Headers;
                Judge(e.EndStream ? Http2FieldSection.Violation(e.Headers, Http2Section.Trailers, whole)
                                  : "field block after the header section does not end the stream (RFC 9113 §8.1)");
                return;
            }
            if (first && e.EndStream && Http2FieldSection.MayBeTrailers(e.Headers))
            {
                _headless = (e, isResponse, whole);
                return;
            }
            AddHeaderSection(e, isResponse, whole);
        }

        /// <summary>
        /// §8.1: a message is a header section, which begins with its pseudo-header fields, then DATA, then perhaps a trailer
        /// section, which has none and ends the stream. A half whose first field block ended the stream with no pseudo-header
        /// field is the trailer section of a message whose header section the capture lost, when frames of its direction were
        /// lost before it (a hole, a capture that joined the connection): the half stays incomplete, its head unseen. Else
        /// nothing was lost, and it is a header section without its pseudo-header fields: malformed.
        /// </summary>
        public void ResolveHeadless(DirectionSummary direction)
        {
            if (_headless is not var (e, isResponse, whole)) return;
            _headless = null;
            if (direction.LostBefore(e.Offset)) Trailers = e.Headers;
            else AddHeaderSection(e, isResponse, whole);
        }

        /// <summary>The first field block of the half that may be its trailers, until <see cref="ResolveHeadless"/> says.</summary>
        private (Http2HeadersEvent Block, bool IsResponse, bool Whole)? _headless;

        private void AddHeaderSection(Http2HeadersEvent e, bool isResponse, bool whole)
        {
            Judge(Http2FieldSection.Violation(e.Headers, isResponse ? Http2Section.Response : Http2Section.Request, whole));
            HeadStart ??= e.Offset;
            // RFC 9110 §15.2: a 1xx response is interim; the final response's field block follows (RFC 9113 §8.1: so it cannot end the stream).
            if (isResponse && Http2FieldSection.StatusCode(e.Header(":status")) is >= 100 and < 200)
            {
                if (e.EndStream) Judge($"interim response {e.Header(":status")} ends the stream (RFC 9113 §8.1)");
                return;
            }
            Headers = e.Headers;
            FinalHeadStart = e.Offset;
        }

        /// <summary>The half's first frame seen is not its start: its header section was not seen first, and frames of its
        /// direction were lost before it (a hole, a capture that joined the connection), among which its start may have been.</summary>
        public bool StartLost(DirectionSummary direction) => Start is { } start && HeadStart != start && direction.LostBefore(start);

        public void Judge(string? violation)
        {
            if (violation is null) return;
            Malformed = true;
            Violation ??= violation;
        }

        /// <summary>
        /// §5.1: a side that sent END_STREAM sends no more field blocks or DATA on the stream, and §5.1.1: a stream id
        /// is not used again. Such a frame is not folded into the message that ended (as trailers, as body octets).
        /// </summary>
        private bool SentAfterEnd(string frame)
        {
            if (Ended) Judge($"{frame} after END_STREAM (RFC 9113 §5.1: a stream error)");
            return Ended;
        }

        public void AddData(Http2DataEvent e)
        {
            if (SentAfterEnd("DATA")) return;
            DataBeforeHeaders |= Headers is null;
            Frame(e.Offset, e.EndOffset, e.EndStream);
            BodyBytes += e.Length;
            Messages += e.GrpcMessages;
            Gap |= e.LostBytes > 0;
            int keep = Math.Min(e.Preview.Length, previewLimit - _preview.Count);
            if (keep > 0) _preview.AddRange(e.Preview.Span[..keep]);
        }

        private void Frame(long offset, long endOffset, bool endStream)
        {
            HasFrames = true;
            Start ??= offset;
            End = endOffset;
            Ended = endStream;
        }

        /// <summary>
        /// §8.1: DATA before the header section that follows it makes the message malformed (its receiver a stream error),
        /// though its status reads as an answer; unless frames of the direction were lost before it, among which the header
        /// section may have been, as when the capture joined the connection: then that DATA is the body of a message begun
        /// before, and the field block after it its trailers. DATA with no header section at all is already incomplete.
        /// </summary>
        private bool DataFirst(DirectionSummary direction) => DataBeforeHeaders && Headers is not null && !direction.LostBefore(Start!.Value);

        /// <summary>The rules of a message's frames as a whole, judged once all of its frames are in: DATA before the header
        /// section (<see cref="DataFirst"/>), and §8.1.1 for a half whose DATA octets were all seen (lost frames would leave
        /// the count short) when <paramref name="judgeLength"/>.</summary>
        public void JudgeMessage(DirectionSummary direction, bool judgeLength)
        {
            if (DataFirst(direction)) Judge("DATA before the header section (RFC 9113 §8.1)");
            if (judgeLength && !Gap && !LostIn(direction)) Judge(Http2ContentLength.Violation(Headers, BodyBytes, Ended));
        }

        /// <summary>Seen from its field block to END_STREAM.</summary>
        public bool Complete => Headers is not null && Ended;

        /// <summary>A lost range overlaps the half, or precedes it when its field block is missing.</summary>
        public bool LostIn(DirectionSummary direction)
        {
            if (Start is null) return false;
            long end = Ended ? End!.Value : long.MaxValue;
            foreach (var (lostStart, lostEnd) in direction.Lost)
            {
                if (lostStart == CutAt) return true;
                if (lostStart < end && lostEnd > Start) return true;
                if (Headers is null && lostEnd <= Start) return true;
            }
            return false;
        }
    }

    private sealed class StreamBuilder(int id, int previewBytes)
    {
        public readonly int Id = id;
        public readonly HalfBuilder Request = new(previewBytes);
        public readonly HalfBuilder Response = new(previewBytes);
        public bool IsPush;
        public int? AssociatedStreamId;
        public uint? ResetErrorCode;
        public bool Malformed;
        public bool NeverOpened;
        /// <summary>The frame that showed the stream idle (<see cref="Http2Stream.FrameOnIdleStream"/>).</summary>
        public Http2IdleStreamFrame? FrameOnIdleStream;
        /// <summary>The first frame on the stream from the side that does not open it (the server's HEADERS, either side's
        /// DATA, RST_STREAM or WINDOW_UPDATE): on an idle stream only while the opener's whole direction holds nothing on it.</summary>
        public Http2IdleStreamFrame? PeerFrameOnIdleStream;
        /// <summary>The parser's first error on the stream, in its words: what the stream's note says when no rule above does.</summary>
        public string? FrameError;
        /// <summary>Why the stream's id broke §5.1.1, in words, or null.</summary>
        public string? OrderViolation;

        /// <summary>§5.1.1: a new stream's id is greater than every one its initiator opened before; a lower one is a connection error.</summary>
        public void JudgeOrder(StreamIdOrder order, string how)
        {
            int highest = order.HighestOpened;
            if (order.Opens(Id)) return;
            Malformed = true;
            OrderViolation ??= $"stream {Id} {how} after stream {highest} (RFC 9113 §5.1.1: stream ids only increase; a connection error)";
        }

        public Http2Stream Build(DirectionSummary client, DirectionSummary server)
        {
            var requestHalfDirection = IsPush ? server : client;
            Request.ResolveHeadless(requestHalfDirection);
            Response.ResolveHeadless(server);
            var request = Request.Headers;
            var response = Response.Headers;

            var flags = Http2StreamFlags.None;
            if (ResetErrorCode is not null) flags |= Http2StreamFlags.Reset;
            if (!Request.Complete || !Response.Complete) flags |= Http2StreamFlags.Incomplete;
            if (Request.ContextLost || Response.ContextLost) flags |= Http2StreamFlags.ContextLost;
            if (Request.Gap || Response.Gap || Request.LostIn(requestHalfDirection) || Response.LostIn(server)) flags |= Http2StreamFlags.Gap;
            Request.JudgeMessage(requestHalfDirection, judgeLength: true);
            Response.JudgeMessage(server, judgeLength: !HasNoContent(request, response));
            if (Malformed || Request.Malformed || Response.Malformed) flags |= Http2StreamFlags.Malformed;
            if (Http2GoAwayEvent.Refuses(server.GoAwayLastStreamId, sentByServer: true, Id) ||
                Http2GoAwayEvent.Refuses(client.GoAwayLastStreamId, sentByServer: false, Id) ||
                ((client.GoAwayWithError || server.GoAwayWithError) && (flags & Http2StreamFlags.Incomplete) != 0))
                flags |= Http2StreamFlags.GoAway;

            string? path = Find(request, ":path");
            string? contentType = Find(request, "content-type") ?? Find(response, "content-type");
            bool grpc = GrpcFields.IsGrpcContentType(contentType);
            bool splitPath = GrpcFields.TrySplitPath(path, out string service, out string method);
            string? grpcStatus = Find(Response.Trailers, "grpc-status") ?? Find(response, "grpc-status");
            string? grpcMessage = Find(Response.Trailers, "grpc-message") ?? Find(response, "grpc-message");

            return new Http2Stream
            {
                StreamId = Id,
                IsPush = IsPush,
                AssociatedStreamId = AssociatedStreamId,
                Method = Find(request, ":method"),
                Scheme = Find(request, ":scheme"),
                Authority = Find(request, ":authority") ?? Find(request, "host"),
                Path = path,
                Status = Http2FieldSection.StatusCode(Find(response, ":status")),
                RequestSeen = request is not null,
                NeverOpened = NeverOpened,
                FrameOnIdleStream = NeverOpened ? FrameOnIdleStream : null,
                Violation = string.Join("; ", new[] { OrderViolation, Said("request", Request.Violation), Said("response", Response.Violation) }
                    .OfType<string>()) is { Length: > 0 } violation ? violation : FrameError,
                RequestFieldsInterrupted = Request.Interrupted,
                ResponseFieldsInterrupted = Response.Interrupted,
                RequestFieldsCut = Request.CutAt is not null,
                ResponseFieldsCut = Response.CutAt is not null,
                RequestFieldsOverLimit = Request.OverLimit,
                ResponseFieldsOverLimit = Response.OverLimit,
                RequestHeaders = request ?? [],
                ResponseHeaders = response ?? [],
                RequestTrailers = Request.Trailers ?? [],
                ResponseTrailers = Response.Trailers ?? [],
                RequestStartOffset = Request.Start,
                RequestEndOffset = Request.End,
                ResponseStartOffset = Response.Start,
                ResponseEndOffset = Response.End,
                FinalResponseOffset = Response.FinalHeadStart,
                ResponseStartLost = Response.StartLost(server),
                RequestBodyBytes = Request.BodyBytes,
                ResponseBodyBytes = Response.BodyBytes,
                RequestBodyPreview = Request.Preview,
                ResponseBodyPreview = Response.Preview,
                Flags = flags,
                RequestComplete = Request.Complete,
                ResponseComplete = Response.Complete,
                ResetErrorCode = ResetErrorCode,
                IsGrpc = grpc,
                GrpcService = grpc && splitPath ? service : null,
                GrpcMethod = grpc && splitPath ? method : null,
                GrpcStatus = grpc && int.TryParse(grpcStatus, out int code) ? code : null,
                GrpcMessage = grpc && grpcMessage is not null ? GrpcFields.PercentDecode(grpcMessage) : null,
                RequestMessages = Request.Messages,
                ResponseMessages = Response.Messages,
            };
        }

        private static string? Said(string message, string? violation) => violation is null ? null : $"{message}: {violation}";

        /// <summary>RFC 9110 §8.6: a response to HEAD, or a 304, may declare the length of the content it does not carry.</summary>
        private static bool HasNoContent(IReadOnlyList<KeyValuePair<string, string>>? request, IReadOnlyList<KeyValuePair<string, string>>? response) =>
            Find(request, ":method") == "HEAD" || Find(response, ":status") == "304";

        private static string? Find(IReadOnlyList<KeyValuePair<string, string>>? fields, string name)
        {
            if (fields is null) return null;
            foreach (var (key, value) in fields)
            {
                if (key == name) return value;
            }
            return null;
        }
    }
}
