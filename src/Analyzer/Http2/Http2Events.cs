using Capture.Hpack;

namespace Capture.Analyzer.Http2;

/// <summary>
/// What one direction of an HTTP/2 connection carried, in stream order. <see cref="Offset"/> is the stream
/// offset of the first octet of the frame (or of the first frame of a field block) the event comes from.
/// </summary>
internal abstract record Http2Event(long Offset);

/// <summary>
/// A complete field block: HEADERS (or PUSH_PROMISE, <paramref name="IsPushPromise"/>) with its CONTINUATION
/// frames, decoded. <paramref name="ContextLost"/>: some fields referred to HPACK dynamic table entries the
/// capture never saw; they are named <see cref="HpackDecoder.UnknownName"/> and no field is ever wrong.
/// <paramref name="Malformed"/>: HPACK decoding failed part way (see the parser's errors); the fields before the
/// failure are kept. <paramref name="EndOffset"/> is just past the block's last frame. <paramref name="Cut"/>: the
/// block's frames were not all captured (the per-call cap, lost bytes, the recording's end); <paramref name="Headers"/>
/// are the fields wholly before the cut, and the HPACK context is lost after the block. <paramref name="OverLimit"/>: the
/// block was larger than the parser may hold and was not decoded (<paramref name="Headers"/> is empty); the HPACK
/// context is lost after it. <paramref name="InterruptedBy"/>: another frame came before the block's END_HEADERS (RFC 9113
/// §6.10: a connection error), named as "DATA frame on stream 3"; the block was sent but never ended, so it is not decoded
/// (<paramref name="Headers"/> is empty), it ends nothing, and <paramref name="EndOffset"/> is where the other frame began.
/// </summary>
internal sealed record Http2HeadersEvent(long Offset, int StreamId, IReadOnlyList<KeyValuePair<string, string>> Headers,
    bool EndStream, bool ContextLost, bool IsPushPromise, int PromisedStreamId, long EndOffset = 0, bool Malformed = false,
    bool Cut = false, Http2FieldBlockOverLimit? OverLimit = null, string? InterruptedBy = null)
    : Http2Event(Offset)
{
    /// <summary>The value of the first field named <paramref name="name"/> (HTTP/2 names are lowercase), or null.</summary>
    public string? Header(string name)
    {
        foreach (var field in Headers)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase)) return field.Value;
        }
        return null;
    }
}

/// <summary>A field block of <paramref name="Bytes"/> octets (as far as captured) over the limit of
/// <paramref name="LimitBytes"/> (<see cref="Http2Limits.MaxHeaderBlockBytes"/>): sent and captured, only not decoded.</summary>
internal sealed record Http2FieldBlockOverLimit(long Bytes, int LimitBytes);

/// <summary>
/// A DATA frame. <paramref name="Length"/> counts data octets without Pad Length and padding, lost ones
/// included (<paramref name="LostBytes"/>). <paramref name="Preview"/> holds this frame's octets that fall within
/// the stream's first <see cref="Http2Limits.PreviewBytesPerStream"/>; concatenating a stream's previews gives
/// its body's start (with gaps where octets were lost). <paramref name="GrpcMessages"/> counts gRPC
/// length-prefixed messages that ended in this frame, on streams whose content-type is application/grpc*.
/// </summary>
internal sealed record Http2DataEvent(long Offset, int StreamId, int Length, bool EndStream, ReadOnlyMemory<byte> Preview,
    long EndOffset = 0, int GrpcMessages = 0, long LostBytes = 0) : Http2Event(Offset);

/// <summary>RST_STREAM (RFC 9113 §6.4).</summary>
internal sealed record Http2ResetEvent(long Offset, int StreamId, uint ErrorCode) : Http2Event(Offset);

/// <summary>WINDOW_UPDATE on a stream (RFC 9113 §6.9); one for the connection (stream 0) is no event: it concerns no stream.</summary>
internal sealed record Http2WindowUpdateEvent(long Offset, int StreamId, int Increment) : Http2Event(Offset);

/// <summary>GOAWAY (RFC 9113 §6.8); <paramref name="Debug"/> is the additional debug data as Latin-1, at most 1024 chars.</summary>
internal sealed record Http2GoAwayEvent(long Offset, int LastStreamId, uint ErrorCode, string Debug) : Http2Event(Offset)
{
    /// <summary>
    /// §6.8: a GOAWAY's Last-Stream-ID is the highest stream its sender may have processed among those its peer initiated
    /// (§5.1.1: clients open odd ids, servers even ones): a server's GOAWAY refuses the client's streams above it, a
    /// client's the pushes above it. The one place that rule is written; null (no GOAWAY) refuses nothing.
    /// </summary>
    public static bool Refuses(int? lastStreamId, bool sentByServer, int streamId) =>
        streamId > lastStreamId && sentByServer == (streamId % 2 == 1);
}

/// <summary>
/// SETTINGS (RFC 9113 §6.5). The values govern the other direction: HEADER_TABLE_SIZE bounds its HPACK
/// decoder's table and MAX_FRAME_SIZE its frames (see <see cref="Http2DirectionParser.SetPeerHeaderTableSize"/>).
/// <paramref name="Cut"/>: the frame was not captured whole, so what it set is unknown (<paramref name="Settings"/> is empty).
/// <paramref name="Lost"/>: no frame was seen; frames lost at <paramref name="Offset"/> may have held any number of
/// SETTINGS (<see cref="Http2DirectionParser.SettingsSent"/> has it, <see cref="Http2DirectionParser.Events"/> not).
/// </summary>
internal sealed record Http2SettingsEvent(long Offset, bool Ack, IReadOnlyList<(ushort Id, uint Value)> Settings, bool Cut = false,
    bool Lost = false)
    : Http2Event(Offset)
{
    /// <summary>SETTINGS_HEADER_TABLE_SIZE, if sent: bounds the other direction's HPACK dynamic table.</summary>
    public uint? HeaderTableSize => Get(Http2SettingId.HeaderTableSize);

    /// <summary>SETTINGS_MAX_FRAME_SIZE, if sent: the largest frame the other direction may carry.</summary>
    public uint? MaxFrameSize => Get(Http2SettingId.MaxFrameSize);

    /// <summary>Whether it sets a limit that reading the other direction depends on (the two above).</summary>
    public bool SetsDecodingLimits => Cut || Lost || HeaderTableSize is not null || MaxFrameSize is not null;

    /// <summary>The last value sent for <paramref name="id"/> (see <see cref="Http2SettingId"/>), or null.</summary>
    public uint? Get(ushort id)
    {
        uint? value = null;
        foreach (var setting in Settings)
        {
            if (setting.Id == id) value = setting.Value;
        }
        return value;
    }
}

/// <summary>
/// <paramref name="Length"/> octets at <paramref name="Offset"/> were not captured. Inside one frame's payload
/// (<paramref name="FramingLost"/> false) only <paramref name="StreamId"/> is affected; otherwise frames were lost,
/// the HPACK context is lost from here on, and the parser resynchronises (<see cref="Http2ResyncEvent"/>).
/// </summary>
internal sealed record Http2GapEvent(long Offset, long Length, int StreamId, bool FramingLost) : Http2Event(Offset);

/// <summary>
/// Frames resume at <paramref name="Offset"/> after the parser lost the frame boundary (capture began mid-connection,
/// a gap, or a frame too large to be real); <paramref name="SkippedBytes"/> captured octets before it were not parsed.
/// </summary>
internal sealed record Http2ResyncEvent(long Offset, long SkippedBytes) : Http2Event(Offset);
