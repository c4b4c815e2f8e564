namespace Capture.Analyzer.Http2;

/// <summary>Receives what <see cref="Http2FrameReader"/> finds, in stream order.</summary>
internal interface IHttp2FrameSink
{
    /// <summary>A frame header was read and the frame's payload follows. Every frame reported here ends in
    /// exactly one <see cref="OnFrame"/> or <see cref="OnFrameDropped"/> unless the stream ends first.</summary>
    void OnFrameStart(in Http2FrameHeader header, long offset);

    /// <summary>Octets of the current DATA frame's data (no Pad Length, no padding), as they arrive.</summary>
    void OnDataBytes(in Http2FrameHeader header, ReadOnlySpan<byte> data);

    /// <summary>A frame is complete: DATA at its end, any other type parsed from its whole payload.</summary>
    void OnFrame(Http2Frame frame);

    /// <summary>The frame begun at <paramref name="offset"/> was invalid, lost in a gap, or cut off, and is not reported.</summary>
    void OnFrameDropped(in Http2FrameHeader header, long offset);

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
