namespace Capture.Analyzer.Http2;

internal enum Http2ErrorCode
{
    /// <summary>A frame longer than the receiver's SETTINGS_MAX_FRAME_SIZE (RFC 9113 §4.2); the parser resynchronises.</summary>
    FrameTooLarge,
    /// <summary>A frame whose length does not fit its type (§6.3, §6.4, §6.5, §6.7, §6.8, §6.9, or too short for its fields).</summary>
    InvalidFrameLength,
    /// <summary>A Pad Length that does not fit in the frame payload (§6.1, §6.2, §6.6).</summary>
    InvalidPadding,
    /// <summary>A frame on a stream its type does not allow: stream 0 or not 0, or the wrong initiator's parity (§5.1.1).</summary>
    InvalidStreamId,
    /// <summary>A SETTINGS parameter outside its range (§6.5.2).</summary>
    InvalidSetting,
    /// <summary>Any other violation of RFC 9113 (§5.1, §6.6, §6.9) that the frame still parses around.</summary>
    ProtocolError,
    /// <summary>A field block not continued by CONTINUATION frames of its stream (§6.10).</summary>
    ContinuationExpected,
    /// <summary>A CONTINUATION frame that continues no field block (§6.10).</summary>
    UnexpectedContinuation,
    /// <summary>A field block larger than <see cref="Http2Limits.MaxHeaderBlockBytes"/>.</summary>
    HeaderBlockTooLarge,
    /// <summary>A field block that HPACK (RFC 7541) cannot decode; the message names the HPACK error.</summary>
    CompressionError,
}

/// <summary>A parse error at the stream offset of the offending frame; <paramref name="StreamId"/> 0 when it concerns no stream.
/// <paramref name="Rule"/>: the RFC section it breaks when the code alone does not say (an HPACK error's).</summary>
internal sealed record Http2ParseError(long Offset, Http2ErrorCode Code, string Message, int StreamId = 0, string? Rule = null);
