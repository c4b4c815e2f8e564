namespace Capture.Analyzer.Exchanges;

/// <summary>One request and its response, as the user sees it. Field names follow the stable
/// `--json` contract (docs/json.md).</summary>
internal sealed record Exchange
{
    public long Id { get; set; }
    public required long ConnectionId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required long StartNs { get; init; }
    public required double DurationMs { get; init; }
    public double? TtfbMs { get; init; }
    public string? Method { get; init; }
    public string? Host { get; init; }
    public string? Path { get; init; }
    public int? Status { get; init; }
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
}

/// <summary>Quality flags an exchange can carry.</summary>
internal static class ExchangeFlags
{
    public const string Truncated = "truncated";   // some bytes were moved but not captured (cap, sendfile)
    public const string Gap = "gap";               // bytes were lost (ring-buffer drops)
    public const string Incomplete = "incomplete"; // request or response did not finish in the recording
    public const string NoRequest = "no_request";  // a response whose request was not captured
    public const string Malformed = "malformed";   // bytes that do not parse as HTTP/1.x
    public const string MidStream = "mid_stream";  // the connection was open before recording began
}
