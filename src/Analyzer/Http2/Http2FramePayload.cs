using System.Buffers.Binary;

namespace Capture.Analyzer.Http2;

/// <summary>
/// Parses the payload of a complete non-DATA frame whose header passed <see cref="Http2FrameRules.Check"/>.
/// Returns the frame, or null when the payload breaks its type's layout; <c>error</c> is set in that case and
/// also for a frame that parses but carries a value RFC 9113 forbids (such frames are still returned).
/// </summary>
internal static class Http2FramePayload
{
    // Stream Dependency, Promised Stream ID, Last-Stream-ID and Window Size Increment share one layout:
    // a reserved (or Exclusive) top bit and a 31-bit value.
    private const uint TopBit = 0x8000_0000;
    private const uint Low31Bits = 0x7FFF_FFFF;

    public static Http2Frame? Parse(in Http2FrameHeader h, long offset, ReadOnlySpan<byte> payload, out Http2ParseError? error)
    {
        error = null;
        switch (h.Type)
        {
            case Http2FrameType.Headers:
            {
                // HEADERS payload (§6.2): [Pad Length (8)], [Exclusive (1), Stream Dependency (31), Weight (8)],
                // Field Block Fragment (..), Padding (..2040)
                if (!Unpad(h, offset, ref payload, out int pad, out error)) return null;
                Http2Priority? priority = null;
                if (h.Has(Http2FrameFlags.Priority))
                {
                    priority = ReadPriority(payload);
                    payload = payload[5..];
                }
                return new Http2HeadersFrame(offset, h.Length, h.StreamId, payload.ToArray(),
                    h.Has(Http2FrameFlags.EndStream), h.Has(Http2FrameFlags.EndHeaders), priority, pad);
            }
            case Http2FrameType.Priority:
                // PRIORITY payload (§6.3): Exclusive (1), Stream Dependency (31), Weight (8)
                return new Http2PriorityFrame(offset, h.StreamId, ReadPriority(payload));
            case Http2FrameType.RstStream:
                // RST_STREAM payload (§6.4): Error Code (32)
                return new Http2RstStreamFrame(offset, h.StreamId, BinaryPrimitives.ReadUInt32BigEndian(payload));
            case Http2FrameType.Settings:
                return ParseSettings(h, offset, payload, out error);
            case Http2FrameType.PushPromise:
            {
                // PUSH_PROMISE payload (§6.6): [Pad Length (8)], Reserved (1), Promised Stream ID (31),
                // Field Block Fragment (..), Padding (..2040)
                if (!Unpad(h, offset, ref payload, out int pad, out error)) return null;
                int promised = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & Low31Bits);
                if (promised == 0 || promised % 2 == 1)
                    error = new(offset, Http2ErrorCode.InvalidStreamId,
                        $"PUSH_PROMISE promises stream {promised}, not an even stream the server may open", h.StreamId);
                return new Http2PushPromiseFrame(offset, h.Length, h.StreamId, promised, payload[4..].ToArray(),
                    h.Has(Http2FrameFlags.EndHeaders), pad);
            }
            case Http2FrameType.Ping:
                // PING payload (§6.7): Opaque Data (64)
                return new Http2PingFrame(offset, h.Has(Http2FrameFlags.Ack), BinaryPrimitives.ReadUInt64BigEndian(payload));
            case Http2FrameType.GoAway:
                // GOAWAY payload (§6.8): Reserved (1), Last-Stream-ID (31), Error Code (32), Additional Debug Data (..)
                return new Http2GoAwayFrame(offset, h.Length, (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & Low31Bits),
                    BinaryPrimitives.ReadUInt32BigEndian(payload[4..]), payload[8..].ToArray());
            case Http2FrameType.WindowUpdate:
            {
                // WINDOW_UPDATE payload (§6.9): Reserved (1), Window Size Increment (31)
                int increment = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & Low31Bits);
                if (increment == 0)
                    error = new(offset, Http2ErrorCode.ProtocolError, "WINDOW_UPDATE with an increment of 0", h.StreamId);
                return new Http2WindowUpdateFrame(offset, h.StreamId, increment);
            }
            case Http2FrameType.Continuation:
                // CONTINUATION payload (§6.10): Field Block Fragment (..)
                return new Http2ContinuationFrame(offset, h.Length, h.StreamId, payload.ToArray(), h.Has(Http2FrameFlags.EndHeaders));
            default:
                return new Http2UnknownFrame(offset, h.Length, h.StreamId, (byte)h.Type, h.Flags);
        }
    }

    /// <summary>
    /// The field block fragment in the captured start of a HEADERS, PUSH_PROMISE or CONTINUATION payload the rest of
    /// which was not captured (layouts in <see cref="Parse"/>): false when the Pad Length does not fit, or the capture
    /// ends inside a PUSH_PROMISE's fixed fields. A HEADERS frame cut inside them (Pad Length, priority) gives an empty
    /// fragment: its block is unknown, but it still opened its stream. <paramref name="whole"/>: only padding is
    /// missing, the fragment is all there.
    /// </summary>
    public static bool TryCapturedFragment(in Http2FrameHeader h, ReadOnlySpan<byte> captured, out ReadOnlySpan<byte> fragment,
        out bool whole, out int promisedStreamId)
    {
        fragment = default;
        whole = false;
        promisedStreamId = 0;
        int fixedLength = Http2FrameRules.FixedFieldLength(h);
        if (captured.Length < fixedLength) return h.Type == Http2FrameType.Headers;
        int padOctets = h.Has(Http2FrameFlags.Padded) ? 1 : 0;
        int pad = padOctets == 1 ? captured[0] : 0;
        if (PaddingError(h, 0, pad) is not null) return false;
        if (h.Type == Http2FrameType.PushPromise)
            promisedStreamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(captured[padOctets..]) & Low31Bits);
        int end = h.Length - pad;
        whole = captured.Length >= end;
        fragment = captured[fixedLength..Math.Min(captured.Length, end)];
        return true;
    }

    /// <summary>
    /// Checks a padded payload's Pad Length (§6.1, §6.2, §6.6: padding as long as the payload or longer is an
    /// error) and cuts off the Pad Length octet and the padding.
    /// </summary>
    public static bool Unpad(in Http2FrameHeader h, long offset, ref ReadOnlySpan<byte> payload, out int pad, out Http2ParseError? error)
    {
        pad = 0;
        error = null;
        if (!h.Has(Http2FrameFlags.Padded)) return true;
        pad = payload[0];
        error = PaddingError(h, offset, pad);
        if (error is not null) return false;
        payload = payload[1..^pad];
        return true;
    }

    /// <summary>The error for Pad Length <paramref name="pad"/> if the padding does not fit after the fixed fields.</summary>
    public static Http2ParseError? PaddingError(in Http2FrameHeader h, long offset, int pad)
    {
        int room = h.Length - Http2FrameRules.FixedFieldLength(h);
        return pad <= room ? null : new(offset, Http2ErrorCode.InvalidPadding,
            $"{h.TypeName} frame pad length {pad} exceeds the {room} bytes after its fixed fields", h.StreamId);
    }

    private static Http2Priority ReadPriority(ReadOnlySpan<byte> fields)
    {
        uint dependency = BinaryPrimitives.ReadUInt32BigEndian(fields);
        return new((dependency & TopBit) != 0, (int)(dependency & Low31Bits), fields[4] + 1);
    }

    /// <summary>SETTINGS payload (§6.5.1): a sequence of Identifier (16), Value (32).</summary>
    private static Http2SettingsFrame ParseSettings(in Http2FrameHeader h, long offset, ReadOnlySpan<byte> payload, out Http2ParseError? error)
    {
        error = null;
        var settings = new (ushort Id, uint Value)[payload.Length / 6];
        for (int i = 0; i < settings.Length; i++)
        {
            var entry = payload.Slice(i * 6, 6);
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(entry);
            uint value = BinaryPrimitives.ReadUInt32BigEndian(entry[2..]);
            settings[i] = (id, value);
            string? invalid = id switch
            {
                Http2SettingId.EnablePush when value > 1 => $"SETTINGS_ENABLE_PUSH must be 0 or 1, got {value}",
                Http2SettingId.InitialWindowSize when value > int.MaxValue => $"SETTINGS_INITIAL_WINDOW_SIZE {value} exceeds 2147483647",
                Http2SettingId.MaxFrameSize when value is < Http2FrameHeader.DefaultMaxFrameSize or > Http2FrameHeader.MaxAllowedFrameSize
                    => $"SETTINGS_MAX_FRAME_SIZE {value} is outside 16384..16777215",
                _ => null,
            };
            if (invalid is not null) error ??= new(offset, Http2ErrorCode.InvalidSetting, invalid);
        }
        return new Http2SettingsFrame(offset, h.Length, h.Has(Http2FrameFlags.Ack), settings);
    }
}
