namespace Capture.Analyzer.Http1;

internal enum Http1MessageKind { Request, Response }

/// <summary>What the parser could and could not establish about one message.</summary>
[Flags]
internal enum Http1MessageFlags
{
    None = 0,
    /// <summary>The body was sent with the chunked transfer coding (RFC 9112 §7.1).</summary>
    Chunked = 1,
    /// <summary>A response body with no length that ran until the connection closed (RFC 9112 §6.3 item 8).</summary>
    CloseDelimited = 2,
    /// <summary>Some bytes of the message were not captured.</summary>
    Gap = 4,
    /// <summary>The parser did not see the end of the message (gap, stream end, or abandoned after an error).</summary>
    Incomplete = 8,
    /// <summary>The message broke the grammar; see <see cref="Http1StreamParser.Errors"/>.</summary>
    Malformed = 16,
    /// <summary>The connection changed protocol after this message (101, 2xx to CONNECT, or a request the caller stopped at).</summary>
    Upgrade = 32,
    /// <summary>With Incomplete: a request with `Expect: 100-continue` whose stream ended right after its head, before any
    /// content. A client that got a final response instead of 100 (Continue) sends no content (RFC 9110 §10.1.1).</summary>
    ContentNotSent = 64,
}

/// <summary>
/// One HTTP/1.x message as seen on the wire. Offsets are positions in the byte stream of one direction of
/// one connection. A message whose head never completed has <see cref="HeadEndOffset"/> == <see cref="EndOffset"/>
/// == the offset where parsing stopped; for chunked bodies <see cref="EndOffset"/> is past the trailer section.
/// A request whose request line did not parse is Malformed, with no method or target and an empty version; so is a
/// response whose status line began "HTTP/" but did not parse, with no status or reason.
/// </summary>
internal sealed record Http1Message(
    Http1MessageKind Kind,
    string? Method, string? Target,
    int? Status, string? Reason,
    string Version,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<KeyValuePair<string, string>> Trailers,
    long StartOffset,
    long HeadEndOffset,
    long EndOffset,
    long BodyBytes,
    Http1MessageFlags Flags,
    byte[] BodyPreview)
{
    /// <summary>What the parser found wrong within this message, in its own words (the errors it reported while the message
    /// was in progress): why the message is Malformed, or what cut it short.</summary>
    public IReadOnlyList<string> Faults { get; init; } = [];

    /// <summary>The value of the first header field named <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? Header(string name)
    {
        foreach (var field in Headers)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
                return field.Value;
        }
        return null;
    }
}
