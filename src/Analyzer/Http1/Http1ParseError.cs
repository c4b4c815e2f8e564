namespace Capture.Analyzer.Http1;

internal enum Http1ErrorCode
{
    /// <summary>Request line (RFC 9112 §3) or status line (§4) does not parse.</summary>
    InvalidStartLine,
    /// <summary>A field line (RFC 9112 §5) in the head or the trailer section does not parse.</summary>
    InvalidHeader,
    /// <summary>A request with more than one Host field line (RFC 9112 §3.2); its first names the host.</summary>
    InvalidHost,
    /// <summary>A field line continued with obs-fold (RFC 9112 §5.2); it is unfolded and parsing goes on.</summary>
    ObsoleteLineFolding,
    /// <summary>Content-Length is not a decimal number, too large, or has conflicting values (RFC 9112 §6.3 item 5).</summary>
    InvalidContentLength,
    /// <summary>A request whose Transfer-Encoding does not end in chunked (RFC 9112 §6.3 item 4).</summary>
    InvalidTransferEncoding,
    /// <summary>Transfer-Encoding with Content-Length (RFC 9112 §6.3 item 3), or in an HTTP/1.0 message (§6.1): the body is
    /// read as Transfer-Encoding says, and the message is Malformed, since a peer may have framed it otherwise.</summary>
    AmbiguousFraming,
    /// <summary>A chunk-size line (RFC 9112 §7.1) does not parse or is too long.</summary>
    InvalidChunkSize,
    /// <summary>Chunk data is not followed by CRLF (RFC 9112 §7.1).</summary>
    InvalidChunkFraming,
    /// <summary>A message head or trailer section is longer than <see cref="Http1Limits.MaxHeadBytes"/>.</summary>
    HeadTooLarge,
    /// <summary>More field lines than <see cref="Http1Limits.MaxHeaderCount"/>.</summary>
    TooManyHeaders,
}

/// <summary>A parse error at a stream offset (the start of the offending line or byte).</summary>
internal sealed record Http1ParseError(long Offset, Http1ErrorCode Code, string Message);
