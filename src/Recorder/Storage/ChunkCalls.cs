using System.Buffers.Binary;

namespace Capture.Recorder.Storage;

/// <summary>The chunks.calls format (docs/schema.md), written here and read by the analyzer's
/// Capture.Analyzer.Recording.ChunkCalls (a test checks that one reads what the other writes): per call, in
/// stream order, 12 bytes little-endian, int64 ts_ns then int32 bytes.</summary>
internal static class ChunkCalls
{
    public const int EntryBytes = 12;

    public static void Write(Span<byte> entry, long timestampNs, int bytes)
    {
        BinaryPrimitives.WriteInt64LittleEndian(entry, timestampNs);
        BinaryPrimitives.WriteInt32LittleEndian(entry[8..], bytes);
    }
}
