using System.Buffers.Binary;
using System.Text;
using Capture.Analyzer.Http2;

namespace Capture.Tests.Http2;

/// <summary>Test-only HTTP/2 frame writer (RFC 9113 §4.1, §6), so that test streams read as the frames they contain.</summary>
internal static class Frames
{
    public const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8, PriorityFlag = 0x20;

    public static byte[] Preface => Http2FrameReader.ClientPreface.ToArray();

    public static byte[] Frame(byte type, byte flags, int streamId, byte[] payload, bool reserved = false, int? length = null)
    {
        var frame = new byte[9 + payload.Length];
        int declared = length ?? payload.Length;
        frame[0] = (byte)(declared >> 16);
        frame[1] = (byte)(declared >> 8);
        frame[2] = (byte)declared;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)streamId | (reserved ? 0x8000_0000u : 0));
        payload.CopyTo(frame, 9);
        return frame;
    }

    public static byte[] Settings(params (ushort Id, uint Value)[] settings)
    {
        var payload = new byte[settings.Length * 6];
        for (int i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(i * 6), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(i * 6 + 2), settings[i].Value);
        }
        return Frame(0x4, 0, 0, payload);
    }

    public static byte[] SettingsAck() => Frame(0x4, Ack, 0, []);

    public static byte[] Headers(int streamId, byte[] block, bool endStream = false, bool endHeaders = true, int? pad = null,
        (bool Exclusive, int Dependency, int Weight)? priority = null)
    {
        byte flags = (byte)((endStream ? EndStream : 0) | (endHeaders ? EndHeaders : 0) | (pad is null ? 0 : Padded) |
                            (priority is null ? 0 : PriorityFlag));
        var payload = new List<byte>();
        if (pad is not null) payload.Add((byte)pad);
        if (priority is { } p)
        {
            payload.AddRange(U32((uint)p.Dependency | (p.Exclusive ? 0x8000_0000u : 0)));
            payload.Add((byte)(p.Weight - 1));
        }
        payload.AddRange(block);
        payload.AddRange(new byte[pad ?? 0]);
        return Frame(0x1, flags, streamId, [.. payload]);
    }

    public static byte[] Continuation(int streamId, byte[] fragment, bool endHeaders = true) =>
        Frame(0x9, endHeaders ? EndHeaders : (byte)0, streamId, fragment);

    public static byte[] PushPromise(int streamId, int promisedStreamId, byte[] block, bool endHeaders = true, int? pad = null)
    {
        var payload = new List<byte>();
        if (pad is not null) payload.Add((byte)pad);
        payload.AddRange(U32((uint)promisedStreamId));
        payload.AddRange(block);
        payload.AddRange(new byte[pad ?? 0]);
        return Frame(0x5, (byte)((endHeaders ? EndHeaders : 0) | (pad is null ? 0 : Padded)), streamId, [.. payload]);
    }

    public static byte[] Data(int streamId, byte[] data, bool endStream = false, int? pad = null)
    {
        var payload = new List<byte>();
        if (pad is not null) payload.Add((byte)pad);
        payload.AddRange(data);
        payload.AddRange(Enumerable.Repeat((byte)0, pad ?? 0));
        return Frame(0x0, (byte)((endStream ? EndStream : 0) | (pad is null ? 0 : Padded)), streamId, [.. payload]);
    }

    public static byte[] Data(int streamId, string data, bool endStream = false, int? pad = null) =>
        Data(streamId, Encoding.Latin1.GetBytes(data), endStream, pad);

    public static byte[] RstStream(int streamId, uint errorCode) => Frame(0x3, 0, streamId, U32(errorCode));

    public static byte[] GoAway(int lastStreamId, uint errorCode, string debug = "") =>
        Frame(0x7, 0, 0, [.. U32((uint)lastStreamId), .. U32(errorCode), .. Encoding.Latin1.GetBytes(debug)]);

    public static byte[] Ping(ulong data, bool ack = false)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(payload, data);
        return Frame(0x6, ack ? Ack : (byte)0, 0, payload);
    }

    public static byte[] WindowUpdate(int streamId, int increment) => Frame(0x8, 0, streamId, U32((uint)increment));

    public static byte[] Priority(int streamId, int dependency, int weight, bool exclusive = false) =>
        Frame(0x2, 0, streamId, [.. U32((uint)dependency | (exclusive ? 0x8000_0000u : 0)), (byte)(weight - 1)]);

    /// <summary>A gRPC Length-Prefixed-Message: compressed flag, 4-octet big-endian length, message.</summary>
    public static byte[] Grpc(string message, bool compressed = false)
    {
        byte[] body = Encoding.Latin1.GetBytes(message);
        return [compressed ? (byte)1 : (byte)0, .. U32((uint)body.Length), .. body];
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
