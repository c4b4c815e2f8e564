namespace Capture.Analyzer.Http2;

/// <summary>Receives what <see cref="Http2FrameReader"/> finds, in stream order.</summary>
internal interface IHttp2FrameSink
{
    /// <summary>A frame header was read and the frame's payload follows. Every frame reported here ends in
    /// exactly one <see cref="OnFrame"/>, <see cref="OnFrameDropped"/> or <see cref="OnFrameCut"/> (DATA: always
    /// <see cref="OnFrame"/>, its lost octets counted), unless the stream ends inside a frame of an unknown type.</summary>
    void OnFrameStart(in Http2FrameHeader header, long offset);

    /// <summary>Octets of the current DATA frame's data (no Pad Length, no padding), as they arrive.</summary>
    void OnDataBytes(in Http2FrameHeader header, ReadOnlySpan<byte> data);

    /// <summary>A frame is complete: DATA at its end, any other type parsed from its whole payload.</summary>
    void OnFrame(Http2Frame frame);

    /// <summary>The frame begun at <paramref name="offset"/> broke a rule of RFC 9113 §6 and is not reported.</summary>
    void OnFrameDropped(in Http2FrameHeader header, long offset);

    /// <summary>
    /// The non-DATA frame begun at <paramref name="offset"/> was not captured whole: <paramref name="captured"/> holds
    /// its payload's octets before the first missing one. <paramref name="restMoved"/>: the missing octets were sent
    /// and not captured (lost bytes, the per-call cap); false when the stream ended inside the frame.
    /// </summary>
    void OnFrameCut(in Http2FrameHeader header, long offset, ReadOnlySpan<byte> captured, bool restMoved);

    void OnError(Http2ParseError error);

    /// <summary>
    /// <paramref name="length"/> octets at <paramref name="offset"/> were not captured. With
    /// <paramref name="framingLost"/> false the gap lies inside the current frame's payload and framing goes on;
    /// otherwise the reader is scanning for the next frame boundary.
    /// </summary>
    void OnGap(long offset, long length, bool framingLost);

    /// <summary>
    /// The reader is not at a frame boundary and scans for one from <paramref name="offset"/>: the stream did
    /// not begin with a connection preface (<paramref name="midConnection"/>), or a frame was too large to be real.
    /// </summary>
    void OnSyncLost(long offset, bool midConnection);

    /// <summary>Scanning found a frame boundary at <paramref name="offset"/>; frames follow from there.</summary>
    void OnSynchronised(long offset);
}
