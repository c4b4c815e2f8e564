using Capture.Analyzer.Recording;

namespace Capture.Analyzer.Exchanges;

/// <summary>One request and its response, as the user sees it. Field names follow the stable
/// `--json` contract (docs/json.md); headers and body previews are for `show` and HAR.</summary>
internal sealed record Exchange
{
    private static readonly IReadOnlyList<KeyValuePair<string, string>> NoFields = [];

    public long Id { get; set; }
    /// <summary>The recording the exchange came from (several can be analyzed as one).</summary>
    public string Recording { get; set; } = "";
    /// <summary>That recording's place in the order given, from 1, when there are several; 0 for one.</summary>
    public int RecordingNumber { get; set; }
    public required long ConnectionId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required long StartNs { get; init; }
    public required double DurationMs { get; init; }
    public double? TtfbMs { get; init; }
    /// <summary>To the first byte of the final response: <see cref="TtfbMs"/> unless interim (1xx) responses came first.</summary>
    public double? FinalResponseMs { get; init; }
    /// <summary>First request byte to last request byte.</summary>
    public double? RequestSentMs { get; init; }
    public string? Method { get; init; }
    public string? Host { get; init; }
    /// <summary>The request named no host (no Host header, absolute-form authority or :authority; or no request was seen):
    /// <see cref="Host"/> is then the server's address, which `--where host=` (empty) must tell from a Host that names it.</summary>
    public bool NoHostSent { get; init; }
    public string? Path { get; init; }
    public int? Status { get; init; }
    /// <summary>HTTP/1: whether the request's line was read; when not, <see cref="Method"/> and <see cref="Path"/> are null.</summary>
    public StartLine RequestLine { get; init; }
    /// <summary>HTTP/1: whether the response's status line was read; when not, <see cref="Status"/> is null.</summary>
    public StartLine StatusLine { get; init; }
    public required long Pid { get; init; }
    public required string Comm { get; init; }
    public required string Side { get; init; }
    public required string Protocol { get; init; }
    public bool Tls { get; init; }
    public long RequestBytes { get; init; }
    public long ResponseBytes { get; init; }
    public required IReadOnlyList<string> Flags { get; init; }
    public required string Local { get; init; }
    public required string Remote { get; init; }

    /// <summary>The connection as HAR and --by connection name it: each recording numbers its connections from 1, so
    /// with several the id is prefixed with the recording's number ("2:7").</summary>
    public string ConnectionLabel => RecordingNumber > 0
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{RecordingNumber}:{ConnectionId}")
        : ConnectionId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What the flags cannot say and the user needs to read the exchange right (`show`): the protocol rule the
    /// traffic broke, say; null when there is nothing to add.</summary>
    public string? Note { get; init; }

    /// <summary>HTTP/2 stream id; null for HTTP/1.x.</summary>
    public int? StreamId { get; init; }
    public GrpcCall? Grpc { get; init; }
    /// <summary>RST_STREAM error code, as RFC 9113 §7 names it.</summary>
    public string? ResetError { get; init; }

    /// <summary>The request's HTTP version (HTTP/1: its request line's, else the response's; "HTTP/2").</summary>
    public string? HttpVersion { get; init; }
    /// <summary>HTTP/1: the version of the response's status line, which may differ from the request's (a server answers
    /// an HTTP/1.0 request in HTTP/1.1, RFC 9110 §6.2); null when no status line was read.</summary>
    public string? ResponseHttpVersion { get; init; }
    public string? Reason { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> RequestHeaders { get; init; } = NoFields;
    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; init; } = NoFields;
    public IReadOnlyList<KeyValuePair<string, string>> RequestTrailers { get; init; } = NoFields;
    public IReadOnlyList<KeyValuePair<string, string>> ResponseTrailers { get; init; } = NoFields;
    /// <summary>HTTP/1 interim (1xx) responses before the final one, such as 100 Continue or 103 Early Hints, in order.</summary>
    public IReadOnlyList<InterimResponse> InterimResponses { get; init; } = [];
    /// <summary>Body length after transfer decoding (de-chunked), lost bytes included.</summary>
    public long RequestBodyBytes { get; init; }
    public long ResponseBodyBytes { get; init; }
    /// <summary>The body's first bytes (content coding not undone).</summary>
    public byte[] RequestBody { get; init; } = [];
    public byte[] ResponseBody { get; init; } = [];

    /// <summary>What its recording's recorder replaced by keyed hashes (none with --no-redact).</summary>
    public RedactionInfo Redaction { get; set; } = RedactionInfo.None;

    public bool IsRedactedHeader(string name) => Redaction.Headers.Contains(name);

    /// <summary>Where this exchange carries a replaced value: "Authorization in the request", "query token".</summary>
    public IReadOnlyList<string> RedactedFields()
    {
        var found = new List<string>();
        void In(IEnumerable<KeyValuePair<string, string>> fields, string where)
        {
            foreach (var name in fields.Select(f => f.Key).Where(IsRedactedHeader).Distinct(StringComparer.OrdinalIgnoreCase))
                found.Add($"{name} in the {where}");
        }
        In(RequestHeaders.Concat(RequestTrailers), "request");
        In(InterimResponses.SelectMany(r => r.Headers).Concat(ResponseHeaders).Concat(ResponseTrailers), "response");
        found.AddRange(Redaction.QueryParametersIn(Path).Distinct(StringComparer.OrdinalIgnoreCase).Select(p => $"query {p}"));
        return found;
    }

    /// <summary>What --errors lists and error rates count: a failure status or outcome, one that never finished, and one
    /// that broke the protocol (an answer in the wrong protocol, ambiguous framing), whatever its status said.</summary>
    public bool IsError => Status >= 400 || Grpc is not null && GrpcFailed ||
                           Flags.Contains(ExchangeFlags.Reset) || Flags.Contains(ExchangeFlags.GoAway) ||
                           Flags.Contains(ExchangeFlags.Incomplete) || Flags.Contains(ExchangeFlags.Malformed);

    /// <summary>A gRPC status other than OK, or none in a response seen whole: gRPC ends every response with one, and a
    /// client given none (or one that is no number) fails the call. Unless fields may have been lost unread (HPACK context,
    /// the per-call cap): then it is not known.</summary>
    private bool GrpcFailed => Grpc!.Status is { } status ? status != 0
        : !Flags.Contains(ExchangeFlags.ContextLost) && !Flags.Contains(ExchangeFlags.Truncated) && !Flags.Contains(ExchangeFlags.Gap);

    public string? RequestHeader(string name) => Find(RequestHeaders, name);
    public string? ResponseHeader(string name) => Find(ResponseHeaders, name);

    private static string? Find(IReadOnlyList<KeyValuePair<string, string>> fields, string name)
    {
        foreach (var (key, value) in fields)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }
}

/// <summary>What became of an HTTP/1 message's start line. Read also stands for no message at all.</summary>
internal enum StartLine
{
    Read,
    /// <summary>There was none to read: on HTTP/2, DATA on a stream never opened (no request), or a server that answered an
    /// HTTP/2 client with bytes that are neither frames nor an HTTP/1 status line (no status).</summary>
    Absent,
    /// <summary>It did not parse (the message is malformed).</summary>
    NotParsed,
    /// <summary>The message began in bytes the per-call cap left uncaptured (the message is truncated).</summary>
    NotCaptured,
    /// <summary>HTTP/2: its field block was captured but over the analyzer's --max-header-block-kb, so not decoded.</summary>
    NotDecoded,
}

/// <summary>What gRPC said about a call (gRPC over HTTP/2).</summary>
internal sealed record InterimResponse(int Status, string? Reason, IReadOnlyList<KeyValuePair<string, string>> Headers);

internal sealed record GrpcCall(string? Service, string? Method, int? Status, string? Message, int RequestMessages, int ResponseMessages);

/// <summary>Quality flags an exchange can carry.</summary>
internal static class ExchangeFlags
{
    public const string Truncated = "truncated";   // some bytes were moved but not captured (cap, sendfile)
    public const string Gap = "gap";               // bytes were lost (ring-buffer drops)
    public const string Incomplete = "incomplete"; // request or response did not finish in the recording
    public const string NoRequest = "no_request";  // a response whose request was not captured
    public const string Malformed = "malformed";   // bytes that do not parse as HTTP
    public const string MidStream = "mid_stream";  // the connection was open before recording began
    public const string Reset = "reset";           // HTTP/2 RST_STREAM ended the stream
    public const string GoAway = "goaway";         // HTTP/2 GOAWAY refused or cut the stream
    public const string ContextLost = "hpack_context_lost"; // header fields that referred to unseen HPACK state are "<unknown>"

    public static readonly IReadOnlyList<string> All = [Truncated, Gap, Incomplete, NoRequest, Malformed, MidStream, Reset, GoAway, ContextLost];
}
