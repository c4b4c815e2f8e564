namespace Capture.Analyzer.Http1;

/// <summary>Bounds that keep one parser's memory fixed whatever the peer sends.</summary>
/// <param name="MaxHeadBytes">Most bytes of a message head (start line through the blank line); also bounds a
/// trailer section and a single chunk-size line.</param>
/// <param name="MaxHeaderCount">Most field lines in a head, and separately in a trailer section.</param>
/// <param name="BodyPreviewBytes">How many leading bytes of each decoded body are kept.</param>
internal sealed record Http1Limits(int MaxHeadBytes = 64 * 1024, int MaxHeaderCount = 256, int BodyPreviewBytes = 64 * 1024)
{
    public static Http1Limits Default { get; } = new();
}
