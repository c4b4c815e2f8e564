using System.Buffers.Binary;

namespace Capture.Analyzer.Http2;

/// <summary>
/// What a frame header alone must satisfy (RFC 9113 §6): the streams a type may use and the lengths it may
/// have. <see cref="Check"/> is what a receiver enforces; <see cref="IsPlausible"/> is the stricter test used
/// to find a frame boundary in the middle of a stream, where a false match costs more than a missed one.
/// </summary>
internal static class Http2FrameRules
{
    /// <summary>The flags each known type defines (§6); others are ignored by receivers but make a resync candidate implausible.</summary>
    private static byte DefinedFlags(Http2FrameType type) => type switch
    {
        Http2FrameType.Data => Http2FrameFlags.EndStream | Http2FrameFlags.Padded,
        Http2FrameType.Headers => Http2FrameFlags.EndStream | Http2FrameFlags.EndHeaders | Http2FrameFlags.Padded | Http2FrameFlags.Priority,
        Http2FrameType.Settings or Http2FrameType.Ping => Http2FrameFlags.Ack,
        Http2FrameType.PushPromise => Http2FrameFlags.EndHeaders | Http2FrameFlags.Padded,
        Http2FrameType.Continuation => Http2FrameFlags.EndHeaders,
        _ => 0,
    };

    /// <summary>The rules of §6 a frame header can break.</summary>
    private enum Rule { NeedsStream, NeedsStreamZero, ExactLength, SettingsMultipleOf6, GoAwayMinimum, FixedFields }

    /// <summary>Payload length of the types whose length is fixed, or -1.</summary>
    private static int ExactLength(in Http2FrameHeader h) => h.Type switch
    {
        Http2FrameType.Priority => 5,
        Http2FrameType.RstStream or Http2FrameType.WindowUpdate => 4,
        Http2FrameType.Ping => 8,
        Http2FrameType.Settings when h.Has(Http2FrameFlags.Ack) => 0,
        _ => -1,
    };

    /// <summary>The first rule the header breaks, or null. Does not allocate: scanning calls it at every offset.</summary>
    private static Rule? Broken(in Http2FrameHeader h)
    {
        switch (h.Type)
        {
            case Http2FrameType.Data or Http2FrameType.Headers or Http2FrameType.Priority or Http2FrameType.RstStream
                or Http2FrameType.PushPromise or Http2FrameType.Continuation when h.StreamId == 0:
                return Rule.NeedsStream;
            case Http2FrameType.Settings or Http2FrameType.Ping or Http2FrameType.GoAway when h.StreamId != 0:
                return Rule.NeedsStreamZero;
        }
        int exact = ExactLength(h);
        if (exact >= 0 && h.Length != exact) return Rule.ExactLength;
        if (h.Type == Http2FrameType.Settings && h.Length % 6 != 0) return Rule.SettingsMultipleOf6;
        if (h.Type == Http2FrameType.GoAway && h.Length < 8) return Rule.GoAwayMinimum;
        if (h.Length < FixedFieldLength(h)) return Rule.FixedFields;
        return null;
    }

    /// <summary>
    /// The violation of §6 the header shows, or null. A frame with one is skipped; its length is still trusted.
    /// Unknown types have no rules (§5.5).
    /// </summary>
    public static Http2ParseError? Check(in Http2FrameHeader h, long offset)
    {
        if (Broken(h) is not Rule rule) return null;
        string name = h.TypeName;
        return rule switch
        {
            Rule.NeedsStream => new(offset, Http2ErrorCode.InvalidStreamId, $"{name} frame on stream 0"),
            Rule.NeedsStreamZero => new(offset, Http2ErrorCode.InvalidStreamId, $"{name} frame on stream {h.StreamId}, expected stream 0", h.StreamId),
            Rule.ExactLength when h.Type == Http2FrameType.Settings =>
                new(offset, Http2ErrorCode.InvalidFrameLength, $"SETTINGS frame with ACK must be empty, got {h.Length} bytes"),
            Rule.ExactLength => new(offset, Http2ErrorCode.InvalidFrameLength, $"{name} frame must be {ExactLength(h)} bytes, got {h.Length}", h.StreamId),
            Rule.SettingsMultipleOf6 => new(offset, Http2ErrorCode.InvalidFrameLength, $"SETTINGS frame length {h.Length} is not a multiple of 6"),
            Rule.GoAwayMinimum => new(offset, Http2ErrorCode.InvalidFrameLength, $"GOAWAY frame must be at least 8 bytes, got {h.Length}"),
            _ => new(offset, Http2ErrorCode.InvalidFrameLength,
                $"{name} frame of {h.Length} bytes is shorter than its {FixedFieldLength(h)} bytes of fixed fields", h.StreamId),
        };
    }

    /// <summary>Octets before a DATA, HEADERS or PUSH_PROMISE payload's content: Pad Length, priority fields, Promised Stream ID.</summary>
    public static int FixedFieldLength(in Http2FrameHeader h)
    {
        int padLength = h.Has(Http2FrameFlags.Padded) ? 1 : 0;
        return h.Type switch
        {
            Http2FrameType.Data => padLength,
            Http2FrameType.Headers => padLength + (h.Has(Http2FrameFlags.Priority) ? 5 : 0),
            Http2FrameType.PushPromise => padLength + 4,
            _ => 0,
        };
    }

    /// <summary>
    /// Could a frame header start at this point of a stream sent by the client (or the server)? A known type,
    /// only the flags it defines, the Reserved bit clear, a length within <paramref name="maxFrameSize"/> and
    /// right for the type, and a stream the sender may use: the client sends DATA, HEADERS and CONTINUATION only
    /// on the odd streams it opens (§5.1.1), and PUSH_PROMISE only comes from the server, on an odd stream.
    /// </summary>
    public static bool IsPlausible(in Http2FrameHeader h, int maxFrameSize, bool clientToServer)
    {
        if (h.Reserved || h.Length > maxFrameSize || (byte)h.Type > (byte)Http2FrameType.Continuation) return false;
        if ((h.Flags & ~DefinedFlags(h.Type)) != 0) return false;
        if (Broken(h) is not null) return false;
        // Frames that carry nothing are legal but not sent in practice, and runs of zero octets look like them:
        // an empty DATA frame only ends a stream, and a field block fragment has at least one octet.
        if (h.Type == Http2FrameType.Data && h.Length == 0 && !h.Has(Http2FrameFlags.EndStream)) return false;
        if (h.Type is Http2FrameType.Headers or Http2FrameType.PushPromise or Http2FrameType.Continuation &&
            h.Length <= FixedFieldLength(h)) return false;
        bool odd = (h.StreamId & 1) == 1;
        return h.Type switch
        {
            Http2FrameType.Data or Http2FrameType.Headers or Http2FrameType.Continuation => odd || !clientToServer,
            Http2FrameType.PushPromise => odd && !clientToServer,
            _ => true,
        };
    }

    /// <summary>Highest error code RFC 9113 §7 defines (HTTP_1_1_REQUIRED).</summary>
    private const uint MaxErrorCode = 0xd;

    /// <summary>
    /// The payload of a plausible frame, checked where its type leaves little freedom: padding that fits, a
    /// defined error code, a non-zero window increment, SETTINGS values in range.
    /// </summary>
    public static bool IsPlausiblePayload(in Http2FrameHeader h, ReadOnlySpan<byte> payload)
    {
        if (h.Has(Http2FrameFlags.Padded) && h.Type is Http2FrameType.Data or Http2FrameType.Headers or Http2FrameType.PushPromise &&
            Http2FramePayload.PaddingError(h, 0, payload[0]) is not null)
            return false;
        switch (h.Type)
        {
            case Http2FrameType.RstStream:
                return BinaryPrimitives.ReadUInt32BigEndian(payload) <= MaxErrorCode;
            case Http2FrameType.GoAway:
                return BinaryPrimitives.ReadUInt32BigEndian(payload[4..]) <= MaxErrorCode;
            case Http2FrameType.WindowUpdate:
                uint increment = BinaryPrimitives.ReadUInt32BigEndian(payload);
                return increment is > 0 and <= int.MaxValue;
            case Http2FrameType.Settings:
                Http2FramePayload.Parse(h, 0, payload, out var error);
                return error is null;
            default:
                return true;
        }
    }
}
