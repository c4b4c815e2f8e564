using Capture.Hpack;

namespace Capture.Analyzer.Http2;

/// <summary>
/// The section of RFC 9113 (or, for a field block HPACK cannot decode, of RFC 7541) that a parse error breaks, for `show`'s
/// note: the parser's words say what was wrong, the section where to read the rule. Errors against the analyzer's own
/// limits (--max-header-block-kb) break no rule and cite none.
/// </summary>
internal static class Http2RuleSection
{
    /// <summary>The error's words, with "(RFC 9113 §N)" or "(RFC 7541 §N)" after them where one section holds the rule.</summary>
    public static string Cited(Http2ParseError error) =>
        (error.Rule ?? Of(error)) is { } rule ? $"{error.Message} ({rule})" : error.Message;

    /// <summary>RFC 7541's section for an HPACK decoding error.</summary>
    public static string Of(HpackErrorCode code) => "RFC 7541 " + code switch
    {
        HpackErrorCode.InvalidIndex => "§2.3.3",
        HpackErrorCode.IntegerOverflow or HpackErrorCode.TruncatedInteger => "§5.1",
        HpackErrorCode.TruncatedString or HpackErrorCode.InvalidHuffman => "§5.2",
        HpackErrorCode.TableSizeUpdateNotAtStart => "§4.2",
        HpackErrorCode.TableSizeUpdateTooLarge => "§6.3",
        _ => "§3",
    };

    private static string? Of(Http2ParseError error) => error.Code switch
    {
        Http2ErrorCode.FrameTooLarge => "RFC 9113 §4.2",
        Http2ErrorCode.InvalidSetting => "RFC 9113 §6.5.2",
        Http2ErrorCode.ContinuationExpected or Http2ErrorCode.UnexpectedContinuation => "RFC 9113 §6.10",
        // Stream ids: the parity of who opens a stream is §5.1.1; stream 0 or not, the frame type's own section.
        Http2ErrorCode.InvalidStreamId when error.Message.Contains(" even stream ", StringComparison.Ordinal) => "RFC 9113 §5.1.1",
        Http2ErrorCode.ProtocolError when error.Message.StartsWith("PUSH_PROMISE", StringComparison.Ordinal) => "RFC 9113 §8.4",
        Http2ErrorCode.InvalidStreamId or Http2ErrorCode.InvalidFrameLength or Http2ErrorCode.InvalidPadding or Http2ErrorCode.ProtocolError =>
            FrameTypeSection(error.Message),
        _ => null,
    };

    /// <summary>Errors about one frame begin with its type's name; each type has its section in RFC 9113 §6.</summary>
    private static string? FrameTypeSection(string message) => message.Split(' ')[0] switch
    {
        "DATA" => "RFC 9113 §6.1",
        "HEADERS" => "RFC 9113 §6.2",
        "PRIORITY" => "RFC 9113 §6.3",
        "RST_STREAM" => "RFC 9113 §6.4",
        "SETTINGS" => "RFC 9113 §6.5",
        "PUSH_PROMISE" => "RFC 9113 §6.6",
        "PING" => "RFC 9113 §6.7",
        "GOAWAY" => "RFC 9113 §6.8",
        "WINDOW_UPDATE" => "RFC 9113 §6.9",
        "CONTINUATION" => "RFC 9113 §6.10",
        _ => null,
    };
}
