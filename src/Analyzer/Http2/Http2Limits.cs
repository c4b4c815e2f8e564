using Capture.Hpack;

namespace Capture.Analyzer.Http2;

/// <summary>Bounds that keep one direction parser's memory fixed whatever the peer sends.</summary>
/// <param name="MaxHeaderBlockBytes">Most octets of one field block (HEADERS or PUSH_PROMISE plus CONTINUATION fragments).</param>
/// <param name="PreviewBytesPerStream">How many leading DATA octets of each stream are kept as previews.</param>
/// <param name="MaxTrackedStreams">Most streams with per-stream state (preview budget, gRPC framing) at once;
/// past it the lowest-numbered are forgotten.</param>
/// <param name="MaxHpackTableBytes">Most octets of HPACK dynamic table entries kept per direction, whatever the peer
/// advertises; references to entries evicted by this bound decode as unknown.</param>
internal sealed record Http2Limits(int MaxHeaderBlockBytes = 256 * 1024, int PreviewBytesPerStream = 64 * 1024, int MaxTrackedStreams = 4096,
    int MaxHpackTableBytes = HpackDynamicTable.DefaultMaxRetainedBytes)
{
    public static Http2Limits Default { get; } = new();
}
