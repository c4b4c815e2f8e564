namespace Capture.Analyzer.Http1;

/// <summary>
/// The section of RFC 9112 a parse error breaks, for `show`'s note: "malformed" with the parser's words tells what was
/// wrong, the section where to read the rule. Errors against the analyzer's own limits (--max-head-kb, --max-headers)
/// break no rule and cite none.
/// </summary>
internal static class Http1RuleSection
{
    /// <summary>The error's words, with "(RFC 9112 §N)" after them where one section holds the rule.</summary>
    public static string Cited(Http1ErrorCode code, string message) =>
        Of(code, message) is { } section ? $"{message} (RFC 9112 {section})" : message;

    private static string? Of(Http1ErrorCode code, string message) => code switch
    {
        Http1ErrorCode.InvalidStartLine when message.StartsWith("invalid request line", StringComparison.Ordinal) => "§3",
        Http1ErrorCode.InvalidStartLine when message.StartsWith("invalid status line", StringComparison.Ordinal) => "§4",
        Http1ErrorCode.InvalidHost => "§3.2",
        Http1ErrorCode.InvalidHeader => "§5",
        Http1ErrorCode.ObsoleteLineFolding => "§5.2",
        // Transfer-Encoding in an HTTP/1.0 message is §6.1's rule; with Content-Length, §6.3 item 3's.
        Http1ErrorCode.AmbiguousFraming when message.Contains("HTTP/1.0", StringComparison.Ordinal) => "§6.1",
        Http1ErrorCode.AmbiguousFraming or Http1ErrorCode.InvalidTransferEncoding or Http1ErrorCode.InvalidContentLength => "§6.3",
        // A chunk-size line over --max-head-kb is the analyzer's limit, not the sender's fault.
        Http1ErrorCode.InvalidChunkSize when message.Contains(" exceeds ", StringComparison.Ordinal) => null,
        Http1ErrorCode.InvalidChunkSize or Http1ErrorCode.InvalidChunkFraming => "§7.1",
        _ => null,
    };
}
