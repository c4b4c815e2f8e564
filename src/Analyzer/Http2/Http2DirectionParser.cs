using Capture.Hpack;
using System.Text;

namespace Capture.Analyzer.Http2;

/// <summary>
/// Parser for one direction of an HTTP/2 connection (RFC 9113): frames from <see cref="Http2FrameReader"/>,
/// field blocks joined from HEADERS/PUSH_PROMISE and CONTINUATION and decoded by this direction's
/// <see cref="HpackDecoder"/>, and the result as ordered <see cref="Events"/>. Bytes arrive in any split with the
/// same result. It never throws on input; what it cannot parse becomes an <see cref="Http2ParseError"/>.
///
/// If the capture began mid-connection (no preface, or no SETTINGS first), or lost bytes across frame
/// boundaries, it resynchronises on the next plausible frame boundary and decodes from then on with the HPACK
/// context marked unknown: fields that refer to unseen dynamic table entries come out as
/// <see cref="HpackDecoder.UnknownName"/>, flagged on their event, and the rest of the analysis goes on.
/// Memory is bounded by <see cref="Http2Limits"/> and one frame's payload.
/// </summary>
internal sealed partial class Http2DirectionParser : IHttp2FrameSink
{
    private const int MaxDebugChars = 1024;

    private readonly Http2FrameReader _reader;
    private readonly Http2Limits _limits;
    private readonly HeaderBlockBuffer _block;
    private HpackDecoder _decoder;
    private bool _framesSeen;
    /// <summary>After losing the frame boundary: CONTINUATION frames of a block whose start was lost are skipped silently.</summary>
    private bool _blockStartLost;
    private long _syncLostAt;
    /// <summary>Stream of the frame being read, for a gap inside it.</summary>
    private int _currentStreamId;

    public Http2DirectionParser(bool clientToServer, Http2Limits? limits = null)
    {
        _limits = limits ?? Http2Limits.Default;
        ArgumentOutOfRangeException.ThrowIfNegative(_limits.MaxHeaderBlockBytes, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfNegative(_limits.PreviewBytesPerStream, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxTrackedStreams, 1, nameof(limits));
        ClientToServer = clientToServer;
        _reader = new Http2FrameReader(this, clientToServer);
        _block = new HeaderBlockBuffer(_limits.MaxHeaderBlockBytes);
        _decoder = new HpackDecoder(maxRetainedBytes: _limits.MaxHpackTableBytes);
    }

    /// <summary>The bounds this parser keeps to.</summary>
    public Http2Limits Limits => _limits;

    /// <summary>True for the client's direction, which begins with the connection preface.</summary>
    public bool ClientToServer { get; }

    /// <summary>Stream offset of the next byte to be fed.</summary>
    public long Position => _reader.Position;

    /// <summary>Events in stream order; the caller may clear it.</summary>
    public List<Http2Event> Events { get; } = [];

    /// <summary>Parse errors in stream order; the caller may clear it.</summary>
    public List<Http2ParseError> Errors { get; } = [];

    /// <summary>The stream did not begin with a connection preface: the capture joined an open connection.</summary>
    public bool StartedMidConnection { get; private set; }

    /// <summary>
    /// The direction's first octets, captured from its very start with nothing lost before them, were not its preface
    /// (RFC 9113 §3.4: the client's is the magic string and a SETTINGS frame, the server's a SETTINGS frame). The capture
    /// joined an open connection; or, where the other direction's preface was captured, this side does not speak HTTP/2.
    /// </summary>
    public bool PrefaceMissing { get; private set; }

    /// <summary>The HPACK context was unknown at some point (mid-connection start, gap, undecodable block).</summary>
    public bool ContextLost { get; private set; }

    /// <summary>This direction's HPACK decoder (its dynamic table state is useful to tests and diagnostics).</summary>
    public HpackDecoder Decoder => _decoder;

    public void Feed(ReadOnlySpan<byte> bytes) => _reader.Feed(bytes);

    /// <summary>
    /// <paramref name="lostBytes"/> bytes were not captured. Inside one frame's payload the parser steps over
    /// them (a DATA frame is still reported; a lost field block costs the HPACK context); across a frame boundary
    /// it resynchronises and the HPACK context is unknown from then on.
    /// </summary>
    public void Gap(long lostBytes) => _reader.Gap(lostBytes);

    /// <summary>The stream ended. A field block still waiting for CONTINUATION keeps the fields captured, marked cut, its
    /// END_STREAM not taken as seen (the rest of the block never came). Later calls are ignored.</summary>
    public void End()
    {
        _reader.End();
        CutBlock(_reader.Position, restMoved: false);
    }

    void IHttp2FrameSink.OnFrameStart(in Http2FrameHeader header, long offset)
    {
        _framesSeen = true;
        _currentStreamId = header.StreamId;
        if (header.Type != Http2FrameType.Continuation) _blockStartLost = false;
        if (_block.Active && (header.Type != Http2FrameType.Continuation || header.StreamId != _block.StreamId))
        {
            // §6.10: a field block's frames must be contiguous; anything else in between is a connection error. The
            // encoder has already changed its table for the part sent, which is not decoded: the context is lost.
            string interruption = $"{header.TypeName} frame on stream {header.StreamId}";
            if (!_block.Discarding)
                AddError(offset, Http2ErrorCode.ContinuationExpected, $"field block of stream {_block.StreamId} interrupted by a {interruption}",
                    _block.StreamId);
            InterruptBlock(offset, interruption);
            LoseContext();
        }
        if (header.Type == Http2FrameType.Data) BeginData(header);
        else _dataStream = null;
    }

    void IHttp2FrameSink.OnDataBytes(in Http2FrameHeader header, ReadOnlySpan<byte> data) => AddData(header, data);

    void IHttp2FrameSink.OnFrame(Http2Frame frame)
    {
        switch (frame)
        {
            case Http2DataFrame data:
                EndData(data);
                break;
            case Http2HeadersFrame headers:
                if (ClientToServer && headers.StreamId % 2 == 0)
                    AddError(headers.Offset, Http2ErrorCode.InvalidStreamId,
                        $"HEADERS frame from the client on even stream {headers.StreamId}", headers.StreamId);
                BeginBlock(headers, headers.StreamId, headers.EndStream, isPushPromise: false, 0, headers.Fragment, headers.EndHeaders);
                break;
            case Http2PushPromiseFrame push:
                if (ClientToServer)
                    AddError(push.Offset, Http2ErrorCode.ProtocolError, "PUSH_PROMISE frame sent by the client", push.StreamId);
                BeginBlock(push, push.StreamId, endStream: false, isPushPromise: true, push.PromisedStreamId, push.Fragment, push.EndHeaders);
                break;
            case Http2ContinuationFrame continuation:
                ContinueBlock(continuation);
                break;
            case Http2RstStreamFrame reset:
                Events.Add(new Http2ResetEvent(reset.Offset, reset.StreamId, reset.ErrorCode));
                ForgetStream(reset.StreamId);
                break;
            // Only the assembler's §5.1 check needs it: a WINDOW_UPDATE on a stream never opened is a connection error.
            case Http2WindowUpdateFrame { StreamId: not 0 } windowUpdate:
                Events.Add(new Http2WindowUpdateEvent(windowUpdate.Offset, windowUpdate.StreamId, windowUpdate.Increment));
                break;
            case Http2SettingsFrame settings:
                var settingsEvent = new Http2SettingsEvent(settings.Offset, settings.Ack, settings.Settings);
                Events.Add(settingsEvent);
                if (settings.Ack) OnSettingsAck();
                else _settingsSent.Add(settingsEvent);
                break;
            case Http2GoAwayFrame goAway:
                var debug = goAway.DebugData.AsSpan(0, Math.Min(goAway.DebugData.Length, MaxDebugChars));
                Events.Add(new Http2GoAwayEvent(goAway.Offset, goAway.LastStreamId, goAway.ErrorCode, Encoding.Latin1.GetString(debug)));
                break;
        }
    }

    void IHttp2FrameSink.OnFrameDropped(in Http2FrameHeader header, long offset)
    {
        if (IsFieldBlockFrame(header)) LoseBlock(header);
    }

    private static bool IsFieldBlockFrame(in Http2FrameHeader header) =>
        header.Type is Http2FrameType.Headers or Http2FrameType.PushPromise or Http2FrameType.Continuation;

    /// <summary>A field block frame that was not decoded leaves the decoder behind the encoder; the rest of its
    /// block, if any, follows in CONTINUATION frames that can only be skipped.</summary>
    private void LoseBlock(in Http2FrameHeader header)
    {
        AbandonBlock();
        LoseContext();
        _blockStartLost = !header.Has(Http2FrameFlags.EndHeaders);
    }

    /// <summary>
    /// A field block frame not captured whole. HPACK representations are read in order (RFC 7541 §3.2), so those
    /// wholly before the cut decode exactly and are reported, the block marked cut; the lost part may have changed
    /// the dynamic table, so the context is lost after it. A frame whose padding alone was lost is whole.
    /// </summary>
    void IHttp2FrameSink.OnFrameCut(in Http2FrameHeader header, long offset, ReadOnlySpan<byte> captured, bool restMoved)
    {
        // A SETTINGS frame cut: the limits it set on the other direction are unknown from its acknowledgement on.
        if (header.Type == Http2FrameType.Settings && !header.Has(Http2FrameFlags.Ack))
        {
            var cut = new Http2SettingsEvent(offset, Ack: false, [], Cut: true);
            Events.Add(cut);
            _settingsSent.Add(cut);
        }
        if (!IsFieldBlockFrame(header)) return;
        bool continuation = header.Type == Http2FrameType.Continuation;
        if (!Http2FramePayload.TryCapturedFragment(header, captured, out var fragment, out bool whole, out int promised) ||
            (continuation && !_block.Active))
        {
            LoseBlock(header);
            return;
        }
        if (!continuation)
            _block.Begin(offset, header.StreamId, header.Has(Http2FrameFlags.EndStream), header.Type == Http2FrameType.PushPromise, promised);
        AppendFragment(fragment);
        bool endHeaders = header.Has(Http2FrameFlags.EndHeaders);
        long endOffset = offset + Http2FrameHeader.Size + header.Length;
        if (whole)
        {
            if (endHeaders) CompleteBlock(endOffset, cut: false, restMoved);
            return;
        }
        CompleteBlock(endOffset, cut: true, restMoved);
        LoseContext();
        _blockStartLost = !endHeaders;
    }

    void IHttp2FrameSink.OnError(Http2ParseError error) => Errors.Add(error);

    void IHttp2FrameSink.OnGap(long offset, long length, bool framingLost)
    {
        if (framingLost)
        {
            // The rest of a block waiting for CONTINUATION went by in the hole: its END_STREAM went with it.
            CutBlock(offset, restMoved: true);
            Events.Add(new Http2GapEvent(offset, length, 0, FramingLost: true));
            if (!_framesSeen && offset == 0) StartMidConnection();
            else
            {
                FramesLost(offset);
                LoseContext();
            }
            LoseAllGrpcFraming();
            _blockStartLost = true;
            _syncLostAt = offset + length;
            return;
        }
        Events.Add(new Http2GapEvent(offset, length, _currentStreamId, FramingLost: false));
        if (_dataStream is not null) _dataStream.LoseGrpcFraming();
    }

    void IHttp2FrameSink.OnSyncLost(long offset, bool midConnection)
    {
        // Bytes that are no frame where a CONTINUATION was due: whether the block's END_STREAM took effect is unknown. Its
        // part seen is decoded with the table as it was, before the context is lost below.
        CutBlock(offset, restMoved: false);
        PrefaceMissing |= midConnection;
        if (midConnection && !_framesSeen) StartMidConnection();
        else
        {
            FramesLost(offset);
            LoseContext();
        }
        LoseAllGrpcFraming();
        _blockStartLost = true;
        _syncLostAt = offset;
    }

    void IHttp2FrameSink.OnSynchronised(long offset) => Events.Add(new Http2ResyncEvent(offset, offset - _syncLostAt));

    /// <summary>The capture joined an open connection: nothing is known of the HPACK state, nor of the SETTINGS.</summary>
    private void StartMidConnection()
    {
        StartedMidConnection = true;
        _decoder = HpackDecoder.StartWithUnknownContext(_limits.MaxHpackTableBytes);
        if (_peerHeaderTableSize is int size) _decoder.MaxTableSize = size;
        ContextLost = true;
    }

    private void BeginBlock(Http2Frame frame, int streamId, bool endStream, bool isPushPromise, int promisedStreamId,
        byte[] fragment, bool endHeaders)
    {
        _block.Begin(frame.Offset, streamId, endStream, isPushPromise, promisedStreamId);
        AppendFragment(fragment);
        if (endHeaders) CompleteBlock(frame.EndOffset);
    }

    private void ContinueBlock(Http2ContinuationFrame continuation)
    {
        if (!_block.Active)
        {
            if (_blockStartLost)
            {
                if (continuation.EndHeaders) _blockStartLost = false;
                return;
            }
            AddError(continuation.Offset, Http2ErrorCode.UnexpectedContinuation,
                $"CONTINUATION frame on stream {continuation.StreamId} continues no field block", continuation.StreamId);
            LoseContext();
            return;
        }
        AppendFragment(continuation.Fragment);
        if (continuation.EndHeaders) CompleteBlock(continuation.EndOffset);
    }

    private void AppendFragment(ReadOnlySpan<byte> fragment)
    {
        if (_block.Append(fragment)) return;
        AddError(_block.Offset, Http2ErrorCode.HeaderBlockTooLarge,
            $"field block of stream {_block.StreamId} exceeds {_limits.MaxHeaderBlockBytes} bytes", _block.StreamId);
        LoseContext();
    }

    /// <param name="cut">The block's last octets were not captured: it is decoded as far as its representations are whole.</param>
    /// <param name="restMoved">False when the stream ended inside the block's last frame: its END_STREAM was not seen through.</param>
    private void CompleteBlock(long endOffset, bool cut = false, bool restMoved = true)
    {
        if (_block.Discarding)
        {
            // The block was sent and captured; only our limit kept it from being decoded. Its message is there, its
            // fields unknown (the error says why): not a message the capture lost.
            bool ended = _block.EndStream && restMoved;
            Events.Add(new Http2HeadersEvent(_block.Offset, _block.StreamId, [], ended, ContextLost: false, _block.IsPushPromise,
                _block.PromisedStreamId, endOffset, Cut: cut, OverLimit: new(_block.TotalBytes, _limits.MaxHeaderBlockBytes)));
            if (!_block.IsPushPromise) OnStreamHeaders(_block.StreamId, [], ended);
            _block.Reset();
            return;
        }
        var result = _decoder.Decode(_block.Block);
        // A representation the cut runs through is the capture's doing, not the sender's.
        var error = cut && result.Error is { Code: HpackErrorCode.TruncatedString or HpackErrorCode.TruncatedInteger } ? null : result.Error;
        if (error is not null)
        {
            AddError(_block.Offset, Http2ErrorCode.CompressionError,
                $"HPACK {error.Code} at byte {error.Offset} of the field block: {error.Message}", _block.StreamId,
                Http2RuleSection.Of(error.Code));
            LoseContext();
        }
        bool endStream = _block.EndStream && restMoved;
        Events.Add(new Http2HeadersEvent(_block.Offset, _block.StreamId, result.Headers, endStream, result.HasUnknown,
            _block.IsPushPromise, _block.PromisedStreamId, endOffset, error is not null, cut));
        if (!_block.IsPushPromise) OnStreamHeaders(_block.StreamId, result.Headers, endStream);
        _block.Reset();
    }

    private void AbandonBlock() => _block.Reset();

    /// <summary>
    /// A block waiting for CONTINUATION whose remaining frames were not captured (lost in a hole, or past the recording's
    /// end). Its frames so far were whole, so their representations decode exactly (RFC 7541 §3.2: in order) and are
    /// kept, the block marked cut; what the missing part did to the dynamic table is unknown, so the context is lost.
    /// </summary>
    private void CutBlock(long endOffset, bool restMoved)
    {
        if (!_block.Active) return;
        CompleteBlock(endOffset, cut: true, restMoved);
        LoseContext();
    }

    /// <summary>The block's message was sent, though its block never ended: an event says so, so that the stream it opened
    /// shows a message whose fields are unknown rather than none.</summary>
    private void InterruptBlock(long offset, string interruption)
    {
        Http2FieldBlockOverLimit? overLimit = _block.Discarding ? new(_block.TotalBytes, _limits.MaxHeaderBlockBytes) : null;
        Events.Add(new Http2HeadersEvent(_block.Offset, _block.StreamId, [], EndStream: false, ContextLost: false, _block.IsPushPromise,
            _block.PromisedStreamId, offset, OverLimit: overLimit, InterruptedBy: interruption));
        _block.Reset();
    }

    private void LoseContext()
    {
        _decoder.LoseContext();
        ContextLost = true;
    }

    private void AddError(long offset, Http2ErrorCode code, string message, int streamId, string? rule = null) =>
        Errors.Add(new(offset, code, message, streamId, rule));
}
