using System.Buffers.Binary;

namespace Capture.Analyzer.Http2;

/// <summary>Frame types, RFC 9113 §6 (§11.2 registry).</summary>
internal enum Http2FrameType : byte
{
    Data = 0x0,
    Headers = 0x1,
    Priority = 0x2,
    RstStream = 0x3,
    Settings = 0x4,
    PushPromise = 0x5,
    Ping = 0x6,
    GoAway = 0x7,
    WindowUpdate = 0x8,
    Continuation = 0x9,
}

/// <summary>
/// Frame flags, RFC 9113 §6. A flag's meaning depends on the frame type; undefined flags are ignored. The flags
/// octet (bit 7 the most significant) as DATA, HEADERS, PUSH_PROMISE and CONTINUATION use it:
/// <code>
///   7   6       5       4     3          2         1       0
/// +---+---+----------+---+--------+-------------+---+------------+
/// |   |   | PRIORITY |   | PADDED | END_HEADERS |   | END_STREAM |   SETTINGS and PING: bit 0 is ACK
/// +---+---+----------+---+--------+-------------+---+------------+
/// </code>
/// </summary>
internal static class Http2FrameFlags
{
    /// <summary>DATA, HEADERS (§6.1, §6.2): the last frame the endpoint sends on the stream.</summary>
    public const byte EndStream = 0x01;
    /// <summary>SETTINGS, PING (§6.5, §6.7): the frame acknowledges the peer's.</summary>
    public const byte Ack = 0x01;
    /// <summary>HEADERS, PUSH_PROMISE, CONTINUATION (§6.2, §6.6, §6.10): the field block ends in this frame.</summary>
    public const byte EndHeaders = 0x04;
    /// <summary>DATA, HEADERS, PUSH_PROMISE: a Pad Length octet starts the payload and that much padding ends it.</summary>
    public const byte Padded = 0x08;
    /// <summary>HEADERS (§6.2): Exclusive, Stream Dependency and Weight fields follow the Pad Length.</summary>
    public const byte Priority = 0x20;
}

/// <summary>SETTINGS parameters, RFC 9113 §6.5.2.</summary>
internal static class Http2SettingId
{
    public const ushort HeaderTableSize = 0x1;
    public const ushort EnablePush = 0x2;
    public const ushort MaxConcurrentStreams = 0x3;
    public const ushort InitialWindowSize = 0x4;
    public const ushort MaxFrameSize = 0x5;
    public const ushort MaxHeaderListSize = 0x6;
}

/// <summary>
/// The 9-octet frame header, RFC 9113 §4.1.
/// <code>
/// HTTP Frame {
///   Length (24),
///   Type (8),
///   Flags (8),
///   Reserved (1),
///   Stream Identifier (31),
///   Frame Payload (..),
/// }
/// </code>
/// </summary>
internal readonly record struct Http2FrameHeader(int Length, Http2FrameType Type, byte Flags, int StreamId, bool Reserved)
{
    public const int Size = 9;

    /// <summary>Largest frame payload allowed before the peer raises SETTINGS_MAX_FRAME_SIZE (§4.2).</summary>
    public const int DefaultMaxFrameSize = 16_384;

    /// <summary>Largest SETTINGS_MAX_FRAME_SIZE a peer may advertise, 2^24-1 (§6.5.2).</summary>
    public const int MaxAllowedFrameSize = 16_777_215;

    /// <summary>The Reserved bit is the most significant bit of the stream identifier's 32 bits (§4.1).</summary>
    private const uint ReservedBit = 0x8000_0000;
    private const uint StreamIdMask = 0x7FFF_FFFF;

    public static Http2FrameHeader Read(ReadOnlySpan<byte> header)
    {
        int length = header[0] << 16 | header[1] << 8 | header[2];
        uint stream = BinaryPrimitives.ReadUInt32BigEndian(header[5..]);
        return new(length, (Http2FrameType)header[3], header[4], (int)(stream & StreamIdMask), (stream & ReservedBit) != 0);
    }

    public bool Has(byte flag) => (Flags & flag) != 0;

    /// <summary>The type's name as RFC 9113 writes it, for messages.</summary>
    public string TypeName => Http2FrameNames.Of(Type);
}

internal static class Http2FrameNames
{
    public static string Of(Http2FrameType type) => type switch
    {
        Http2FrameType.Data => "DATA",
        Http2FrameType.Headers => "HEADERS",
        Http2FrameType.Priority => "PRIORITY",
        Http2FrameType.RstStream => "RST_STREAM",
        Http2FrameType.Settings => "SETTINGS",
        Http2FrameType.PushPromise => "PUSH_PROMISE",
        Http2FrameType.Ping => "PING",
        Http2FrameType.GoAway => "GOAWAY",
        Http2FrameType.WindowUpdate => "WINDOW_UPDATE",
        Http2FrameType.Continuation => "CONTINUATION",
        _ => $"frame type 0x{(byte)type:x2}",
    };
}
