namespace Capture.Analyzer.Http2;

/// <summary>
/// A parsed frame (RFC 9113 §6). <see cref="Offset"/> is the stream offset of the frame header's first octet;
/// <see cref="Length"/> the payload length from the header, padding included.
/// </summary>
internal abstract record Http2Frame(long Offset, int Length, int StreamId)
{
    /// <summary>Stream offset just past the frame.</summary>
    public long EndOffset => Offset + Http2FrameHeader.Size + Length;
}

/// <summary>Stream dependency and weight (RFC 9113 §5.3.2, deprecated but still sent). Weight is 1-256.</summary>
internal readonly record struct Http2Priority(bool Exclusive, int StreamDependency, int Weight);

/// <summary>
/// DATA, §6.1. Its octets went to <see cref="IHttp2FrameSink.OnDataBytes"/> as they arrived; this record comes
/// at the end of the frame. <see cref="DataLength"/> excludes the Pad Length octet and padding;
/// <see cref="LostBytes"/> of them were not captured; <see cref="Truncated"/> means the stream ended inside
/// the frame, and then <see cref="DataLength"/> counts only the octets that arrived.
/// </summary>
internal sealed record Http2DataFrame(long Offset, int Length, int StreamId, int DataLength, bool EndStream, int PadLength,
    long LostBytes, bool Truncated) : Http2Frame(Offset, Length, StreamId);

/// <summary>HEADERS, §6.2.</summary>
internal sealed record Http2HeadersFrame(long Offset, int Length, int StreamId, byte[] Fragment, bool EndStream, bool EndHeaders,
    Http2Priority? Priority, int PadLength) : Http2Frame(Offset, Length, StreamId);

/// <summary>PRIORITY, §6.3.</summary>
internal sealed record Http2PriorityFrame(long Offset, int StreamId, Http2Priority Priority) : Http2Frame(Offset, 5, StreamId);

/// <summary>RST_STREAM, §6.4.</summary>
internal sealed record Http2RstStreamFrame(long Offset, int StreamId, uint ErrorCode) : Http2Frame(Offset, 4, StreamId);

/// <summary>SETTINGS, §6.5: parameters in the order sent.</summary>
internal sealed record Http2SettingsFrame(long Offset, int Length, bool Ack, IReadOnlyList<(ushort Id, uint Value)> Settings)
    : Http2Frame(Offset, Length, 0);

/// <summary>PUSH_PROMISE, §6.6.</summary>
internal sealed record Http2PushPromiseFrame(long Offset, int Length, int StreamId, int PromisedStreamId, byte[] Fragment,
    bool EndHeaders, int PadLength) : Http2Frame(Offset, Length, StreamId);

/// <summary>PING, §6.7.</summary>
internal sealed record Http2PingFrame(long Offset, bool Ack, ulong OpaqueData) : Http2Frame(Offset, 8, 0);

/// <summary>GOAWAY, §6.8.</summary>
internal sealed record Http2GoAwayFrame(long Offset, int Length, int LastStreamId, uint ErrorCode, byte[] DebugData)
    : Http2Frame(Offset, Length, 0);

/// <summary>WINDOW_UPDATE, §6.9.</summary>
internal sealed record Http2WindowUpdateFrame(long Offset, int StreamId, int Increment) : Http2Frame(Offset, 4, StreamId);

/// <summary>CONTINUATION, §6.10.</summary>
internal sealed record Http2ContinuationFrame(long Offset, int Length, int StreamId, byte[] Fragment, bool EndHeaders)
    : Http2Frame(Offset, Length, StreamId);

/// <summary>A frame of a type this parser does not know; skipped as §5.5 requires.</summary>
internal sealed record Http2UnknownFrame(long Offset, int Length, int StreamId, byte Type, byte Flags)
    : Http2Frame(Offset, Length, StreamId);
