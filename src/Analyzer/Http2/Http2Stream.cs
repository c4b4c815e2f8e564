using Capture.Hpack;

namespace Capture.Analyzer.Http2;

/// <summary>What the analyzer could and could not establish about one stream.</summary>
[Flags]
internal enum Http2StreamFlags
{
    None = 0,
    /// <summary>RST_STREAM was sent on the stream, by either side (RFC 9113 §6.4).</summary>
    Reset = 1,
    /// <summary>A GOAWAY excluded the stream (its id is above the Last-Stream-ID), or a GOAWAY with an error code
    /// ended the connection before the stream completed (RFC 9113 §6.8).</summary>
    GoAway = 2,
    /// <summary>The request or the response was not seen from its field block to END_STREAM.</summary>
    Incomplete = 4,
    /// <summary>A field block referred to HPACK dynamic table entries the capture never saw; such fields are
    /// named <see cref="HpackDecoder.UnknownName"/>.</summary>
    ContextLost = 8,
    /// <summary>Some octets of the stream, or frames while it was open, were not captured.</summary>
    Gap = 16,
    /// <summary>A frame or field block of the stream broke RFC 9113 or RFC 7541; see the parsers' errors.</summary>
    Malformed = 32,
}

/// <summary>
/// One HTTP/2 stream as the user sees it: a request and its response. Request offsets are stream offsets of
/// the client-to-server direction, response offsets of the server-to-client direction — except for a pushed
/// stream (<see cref="IsPush"/>), whose request is the server's PUSH_PROMISE and so has server-to-client offsets.
/// A start offset is the first octet of the first frame seen (for responses, interim 1xx field blocks count);
/// an end offset is just past the frame with END_STREAM, or past the last frame seen when there was none.
/// </summary>
internal sealed record Http2Stream
{
    private static readonly KeyValuePair<string, string>[] NoFields = [];

    public required int StreamId { get; init; }
    /// <summary>A server push: the request came in a PUSH_PROMISE on <see cref="AssociatedStreamId"/>.</summary>
    public bool IsPush { get; init; }
    public int? AssociatedStreamId { get; init; }

    public string? Method { get; init; }
    public string? Scheme { get; init; }
    public string? Authority { get; init; }
    public string? Path { get; init; }
    public int? Status { get; init; }

    /// <summary>The request's field block was seen (the client's HEADERS, or a push's PUSH_PROMISE), even one cut before
    /// its first whole field, which leaves <see cref="RequestHeaders"/> empty: the request was sent.</summary>
    public bool RequestSeen { get; init; }
    /// <summary>A frame other than a field block or PRIORITY came on it while it was idle (RFC 9113 §5.1: a connection error):
    /// its initiator sent DATA, RST_STREAM or WINDOW_UPDATE on it before any field block (or promise) opened it, with all of
    /// the initiator's frames up to then captured; or the peer sent such a frame (or the server HEADERS) on a stream the
    /// initiator never opened, with the initiator's whole direction captured. No request was lost: none was sent.
    /// <see cref="FrameOnIdleStream"/> says which frame.</summary>
    public bool NeverOpened { get; init; }
    /// <summary>Of <see cref="NeverOpened"/>: the frame that came on the idle stream.</summary>
    public Http2IdleStreamFrame? FrameOnIdleStream { get; init; }
    /// <summary>What rule of RFC 9113 the stream broke, in words: its id's order (§5.1.1), then the first the request's and the
    /// response's frames broke ("response: :status 101 (Switching Protocols), which HTTP/2 does not have (§8.6)", "response:
    /// DATA after END_STREAM (§5.1: a stream error)"); else the parser's first error on it ("HEADERS frame from the client on
    /// even stream 2"); null when none: why the stream is <see cref="Http2StreamFlags.Malformed"/>.</summary>
    public string? Violation { get; init; }
    /// <summary>A field block of the request (or of the response) was over <see cref="Http2Limits.MaxHeaderBlockBytes"/>
    /// and was not decoded: the message was sent, its fields are unknown. Null when none was.</summary>
    public Http2FieldBlockOverLimit? RequestFieldsOverLimit { get; init; }
    public Http2FieldBlockOverLimit? ResponseFieldsOverLimit { get; init; }
    /// <summary>A field block of the request (or of the response) was interrupted by another frame before its end (RFC 9113
    /// §6.10: a connection error) and was not decoded: the message was sent, its fields are unknown (<see cref="Violation"/> says).</summary>
    public bool RequestFieldsInterrupted { get; init; }
    public bool ResponseFieldsInterrupted { get; init; }
    /// <summary>A field block of the request (or of the response) was not captured whole (the per-call cap, a hole, the
    /// recording's end): its fields are those wholly before the cut, the rest unknown.</summary>
    public bool RequestFieldsCut { get; init; }
    public bool ResponseFieldsCut { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> RequestHeaders { get; init; } = NoFields;
    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; init; } = NoFields;
    public IReadOnlyList<KeyValuePair<string, string>> RequestTrailers { get; init; } = NoFields;
    public IReadOnlyList<KeyValuePair<string, string>> ResponseTrailers { get; init; } = NoFields;

    public long? RequestStartOffset { get; init; }
    public long? RequestEndOffset { get; init; }
    public long? ResponseStartOffset { get; init; }
    public long? ResponseEndOffset { get; init; }
    /// <summary>Where the final response's header section began (after any interim 1xx ones), or null when none was seen:
    /// trailers begin no response.</summary>
    public long? FinalResponseOffset { get; init; }
    /// <summary>The response's first frame seen (<see cref="ResponseStartOffset"/>) is not where it began: no header section
    /// came first, and frames of its direction were lost before it (its trailers, or DATA, seen after a hole or in a capture
    /// that joined the connection). When its first byte came is not known.</summary>
    public bool ResponseStartLost { get; init; }

    /// <summary>DATA octets without padding, lost ones included.</summary>
    public long RequestBodyBytes { get; init; }
    public long ResponseBodyBytes { get; init; }
    /// <summary>The body's first octets, as kept by the direction parsers (<see cref="Http2Limits.PreviewBytesPerStream"/>).</summary>
    public byte[] RequestBodyPreview { get; init; } = [];
    public byte[] ResponseBodyPreview { get; init; } = [];

    public Http2StreamFlags Flags { get; init; }
    /// <summary>Each half seen from its field block to END_STREAM (<see cref="Http2StreamFlags.Incomplete"/> is either missing).</summary>
    public bool RequestComplete { get; init; }
    public bool ResponseComplete { get; init; }
    /// <summary>Error code of the first RST_STREAM on the stream (RFC 9113 §7).</summary>
    public uint? ResetErrorCode { get; init; }

    /// <summary>The request or response content-type starts with application/grpc.</summary>
    public bool IsGrpc { get; init; }
    /// <summary>From a gRPC :path of the form /package.Service/Method.</summary>
    public string? GrpcService { get; init; }
    public string? GrpcMethod { get; init; }
    /// <summary>grpc-status from the response trailers, or from the response headers of a trailers-only response.</summary>
    public int? GrpcStatus { get; init; }
    /// <summary>grpc-message, percent-decoded.</summary>
    public string? GrpcMessage { get; init; }
    /// <summary>Length-prefixed gRPC messages that completed in each direction.</summary>
    public int RequestMessages { get; init; }
    public int ResponseMessages { get; init; }
}

/// <summary>The first frame on a stream still idle (RFC 9113 §5.1): its type's name, who sent it, and its offset in the
/// sender's direction (where the exchange begins when nothing else on the stream says).</summary>
internal sealed record Http2IdleStreamFrame(string Type, bool FromClient, long Offset);
