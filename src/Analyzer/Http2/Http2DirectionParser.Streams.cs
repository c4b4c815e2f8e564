namespace Capture.Analyzer.Http2;

/// <summary>Per-stream state of one direction: the DATA preview budget and gRPC message framing.</summary>
internal sealed partial class Http2DirectionParser
{
    private sealed class StreamState(int id, int previewLeft)
    {
        public int Id { get; } = id;
        public int PreviewLeft { get; set; } = previewLeft;
        /// <summary>Set once a field block of this direction named the content-type; null counter: not gRPC.</summary>
        public bool ContentTypeDecided { get; set; }
        public GrpcMessageCounter? Grpc { get; set; }

        /// <summary>DATA octets were lost: message boundaries cannot be followed any more.</summary>
        public void LoseGrpcFraming()
        {
            Grpc = null;
            ContentTypeDecided = true;
        }
    }

    private readonly Dictionary<int, StreamState> _streams = [];
    /// <summary>The stream of the DATA frame being read, or null.</summary>
    private StreamState? _dataStream;
    private byte[] _framePreview = [];
    private int _framePreviewLength;
    private int _frameGrpcMessages;

    private StreamState Stream(int id)
    {
        if (_streams.TryGetValue(id, out var state)) return state;
        if (_streams.Count >= _limits.MaxTrackedStreams) _streams.Remove(_streams.Keys.Min());
        state = new StreamState(id, _limits.PreviewBytesPerStream);
        _streams.Add(id, state);
        return state;
    }

    private void ForgetStream(int id) => _streams.Remove(id);

    private void LoseAllGrpcFraming()
    {
        foreach (var state in _streams.Values) state.LoseGrpcFraming();
    }

    /// <summary>A field block (not a PUSH_PROMISE) on <paramref name="id"/>: the first to name a content-type decides gRPC framing.</summary>
    private void OnStreamHeaders(int id, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream)
    {
        var state = Stream(id);
        if (!state.ContentTypeDecided)
        {
            foreach (var (name, value) in headers)
            {
                if (name != "content-type") continue;
                state.ContentTypeDecided = true;
                if (value.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)) state.Grpc = new GrpcMessageCounter();
                break;
            }
        }
        if (endStream) ForgetStream(id);
    }

    private void BeginData(in Http2FrameHeader header)
    {
        _dataStream = Stream(header.StreamId);
        _framePreviewLength = 0;
        _frameGrpcMessages = 0;
    }

    private void AddData(in Http2FrameHeader header, ReadOnlySpan<byte> data)
    {
        var state = _dataStream ??= Stream(header.StreamId);
        int keep = Math.Min(data.Length, state.PreviewLeft);
        if (keep > 0)
        {
            if (_framePreview.Length < _framePreviewLength + keep)
                Array.Resize(ref _framePreview, Math.Max(_framePreviewLength + keep, _framePreview.Length * 2));
            data[..keep].CopyTo(_framePreview.AsSpan(_framePreviewLength));
            _framePreviewLength += keep;
            state.PreviewLeft -= keep;
        }
        if (state.Grpc is not null) _frameGrpcMessages += state.Grpc.Feed(data);
    }

    private void EndData(Http2DataFrame frame)
    {
        byte[] preview = _framePreviewLength == 0 ? [] : _framePreview.AsSpan(0, _framePreviewLength).ToArray();
        // A frame the capture ended inside did not arrive whole: its END_STREAM was never seen through.
        bool endStream = frame.EndStream && !frame.Truncated;
        Events.Add(new Http2DataEvent(frame.Offset, frame.StreamId, frame.DataLength, endStream, preview,
            frame.EndOffset, _frameGrpcMessages, frame.LostBytes));
        _dataStream = null;
        _framePreviewLength = 0;
        _frameGrpcMessages = 0;
        if (endStream) ForgetStream(frame.StreamId);
    }
}
