namespace Capture.Analyzer.Http2;

/// <summary>
/// Incremental HTTP/2 frame reader (RFC 9113 §4) for one direction of one connection. Bytes arrive in any
/// split; every decision depends only on the bytes, so feeding a stream whole or one byte at a time reports the
/// same frames. It never throws on input. It buffers at most one non-DATA frame's payload (bounded by
/// <see cref="MaxFrameSize"/>); DATA octets are handed to the sink as they arrive.
///
/// The client's stream begins with the connection preface (§3.4), and both streams with a SETTINGS frame. A
/// stream that does not, a frame larger than <see cref="MaxFrameSize"/> (see <see cref="FrameSizeMayBeRaised"/>), and lost bytes that cross a frame
/// boundary make the reader scan for the next frame boundary (<see cref="Http2FrameScanner"/>).
/// </summary>
internal sealed partial class Http2FrameReader
{
    /// <summary>The client connection preface, RFC 9113 §3.4.</summary>
    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private enum State
    {
        /// <summary>Client stream: matching the connection preface.</summary>
        Preface,
        /// <summary>Reading a 9-octet frame header.</summary>
        Header,
        /// <summary>Collecting a non-DATA frame's payload.</summary>
        Payload,
        /// <summary>DATA with PADDED: expecting the Pad Length octet.</summary>
        DataPadLength,
        /// <summary>DATA: <see cref="_remaining"/> data octets left.</summary>
        Data,
        /// <summary>DATA: <see cref="_remaining"/> padding octets left.</summary>
        DataPadding,
        /// <summary>Discarding <see cref="_remaining"/> payload octets of an unknown, invalid or partly lost frame; then <see cref="_skipEnd"/>.</summary>
        Skip,
        /// <summary>Looking for a frame boundary.</summary>
        Scan,
        /// <summary>After <see cref="End"/>.</summary>
        Ended,
    }

    private readonly IHttp2FrameSink _sink;
    private readonly bool _clientToServer;
    private readonly Http2FrameScanner _scanner = new();
    private readonly byte[] _header = new byte[Http2FrameHeader.Size];

    private State _state;
    private bool _expectSettings = true;
    private int _maxFrameSize = Http2FrameHeader.DefaultMaxFrameSize;
    private long _position;
    /// <summary>Stream offset of the next byte the frame states see (not maintained while scanning).</summary>
    private long _offset;
    private int _prefaceMatched;
    private int _headerLength;
    private Http2FrameHeader _frame;
    private long _frameOffset;
    private byte[] _payload = [];
    private int _payloadLength;
    private int _remaining;
    private int _padLength;
    private long _dataSeen, _dataLost;
    private SkipEnd _skipEnd;
    /// <summary>Bytes scanning found a boundary in, to be read again as frames before the rest of the input.</summary>
    private byte[] _replay = [];
    private int _replayStart;
    private byte[]? _found;

    /// <summary>What is reported of a skipped frame once its last octet has passed.</summary>
    private enum SkipEnd
    {
        /// <summary>A frame of a type not known here: reported as <see cref="Http2UnknownFrame"/> (§5.5).</summary>
        Unknown,
        /// <summary>A frame that broke a rule of §6: dropped.</summary>
        Invalid,
        /// <summary>A frame whose payload octets were lost from <see cref="_payloadLength"/> on: cut.</summary>
        Cut,
    }

    public Http2FrameReader(IHttp2FrameSink sink, bool clientToServer)
    {
        _sink = sink;
        _clientToServer = clientToServer;
        _state = clientToServer ? State.Preface : State.Header;
    }

    /// <summary>Largest payload accepted: SETTINGS_MAX_FRAME_SIZE of the receiving peer (16384 to 16777215).</summary>
    public int MaxFrameSize
    {
        get => _maxFrameSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, Http2FrameHeader.DefaultMaxFrameSize);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Http2FrameHeader.MaxAllowedFrameSize);
            _maxFrameSize = value;
        }
    }

    /// <summary>
    /// The receiving peer may have raised its SETTINGS_MAX_FRAME_SIZE past <see cref="MaxFrameSize"/> unseen (a SETTINGS the
    /// capture lost or cut). A frame read at a frame boundary is then taken up to 2^24-1 when its header is plausible
    /// (<see cref="Http2FrameRules.IsPlausible"/>): in step with the frames before it, a header that fits its type and sender
    /// is far likelier a larger frame than lost framing. Scanning for a boundary still keeps to <see cref="MaxFrameSize"/>:
    /// there a false header is only tested against the bytes after it, and a larger bound lets it swallow more real frames.
    /// </summary>
    public bool FrameSizeMayBeRaised { get; set; }

    /// <summary>Stream offset of the next byte to be fed.</summary>
    public long Position => _position;

    /// <summary>False while scanning for a frame boundary.</summary>
    public bool Synchronised => _state != State.Scan;

    public void Feed(ReadOnlySpan<byte> bytes)
    {
        _position += bytes.Length;
        if (_state != State.Ended) Process(bytes);
    }

    private void Process(ReadOnlySpan<byte> bytes)
    {
        while (true)
        {
            bool replaying = _replayStart < _replay.Length;
            var source = replaying ? _replay.AsSpan(_replayStart) : bytes;
            if (source.IsEmpty) return;
            bool scanning = _state == State.Scan;
            int used = Step(source);
            if (!scanning) _offset += used;
            if (replaying) _replayStart += used;
            else bytes = bytes[used..];
            if (_found is not null)
            {
                // The boundary's bytes come before whatever of the replay (or input) is still unread.
                _replay = replaying ? [.. _found, .. _replay.AsSpan(_replayStart)] : _found;
                _replayStart = 0;
                _found = null;
            }
        }
    }

    private int Step(ReadOnlySpan<byte> bytes) => _state switch
    {
        State.Preface => OnPreface(bytes),
        State.Header => OnHeader(bytes),
        State.Payload => OnPayload(bytes),
        State.DataPadLength => OnDataPadLength(bytes),
        State.Data => OnData(bytes),
        State.DataPadding or State.Skip => OnSkip(bytes),
        State.Scan => OnScan(bytes),
        _ => bytes.Length,
    };

    private int OnPreface(ReadOnlySpan<byte> bytes)
    {
        var expected = ClientPreface[_prefaceMatched..];
        int n = Math.Min(bytes.Length, expected.Length);
        int same = bytes[..n].CommonPrefixLength(expected);
        if (same < n)
        {
            // Not a connection start: scan from the stream's first byte, the matched part included.
            long start = _offset - _prefaceMatched;
            _sink.OnSyncLost(start, midConnection: true);
            _expectSettings = false;
            BeginScan(start, ClientPreface[..(_prefaceMatched + same)]);
            return same;
        }
        _prefaceMatched += n;
        if (_prefaceMatched == ClientPreface.Length) _state = State.Header;
        return n;
    }

    private int OnHeader(ReadOnlySpan<byte> bytes)
    {
        if (_headerLength == 0)
        {
            _frameOffset = _offset;
            if (bytes.Length >= Http2FrameHeader.Size)
            {
                BeginFrame(bytes[..Http2FrameHeader.Size]);
                return Http2FrameHeader.Size;
            }
        }
        int take = Math.Min(Http2FrameHeader.Size - _headerLength, bytes.Length);
        bytes[..take].CopyTo(_header.AsSpan(_headerLength));
        _headerLength += take;
        if (_headerLength == Http2FrameHeader.Size)
        {
            _headerLength = 0;
            BeginFrame(_header);
        }
        return take;
    }

    private void BeginFrame(ReadOnlySpan<byte> headerBytes)
    {
        var h = Http2FrameHeader.Read(headerBytes);
        if (_expectSettings)
        {
            // §3.4: each side's preface ends with (or is) a SETTINGS frame, so anything else means we joined late.
            _expectSettings = false;
            if (h.Type != Http2FrameType.Settings || h.Has(Http2FrameFlags.Ack) ||
                !Http2FrameRules.IsPlausible(h, _maxFrameSize, _clientToServer))
            {
                _sink.OnSyncLost(_frameOffset, midConnection: true);
                BeginScan(_frameOffset, headerBytes);
                return;
            }
        }
        if (h.Length > _maxFrameSize &&
            !(FrameSizeMayBeRaised && Http2FrameRules.IsPlausible(h, Http2FrameHeader.MaxAllowedFrameSize, _clientToServer)))
        {
            _sink.OnError(new(_frameOffset, Http2ErrorCode.FrameTooLarge,
                $"{h.TypeName} frame of {h.Length} bytes exceeds the maximum frame size {_maxFrameSize}", h.StreamId));
            _sink.OnSyncLost(_frameOffset + 1, midConnection: false);
            BeginScan(_frameOffset + 1, headerBytes[1..]);
            return;
        }

        _frame = h;
        _sink.OnFrameStart(h, _frameOffset);
        var violation = Http2FrameRules.Check(h, _frameOffset);
        if (violation is not null)
        {
            _sink.OnError(violation);
            StartSkip(h.Length, SkipEnd.Invalid);
            return;
        }
        if (h.Type > Http2FrameType.Continuation)
        {
            StartSkip(h.Length, SkipEnd.Unknown);
            return;
        }
        if (h.Type == Http2FrameType.Data)
        {
            _padLength = 0;
            _dataSeen = _dataLost = 0;
            if (h.Has(Http2FrameFlags.Padded)) _state = State.DataPadLength;
            else StartData(h.Length);
            return;
        }
        _payloadLength = 0;
        _state = State.Payload;
        if (h.Length == 0) CompletePayload([]);
    }

    private int OnPayload(ReadOnlySpan<byte> bytes)
    {
        int length = _frame.Length;
        if (_payloadLength == 0 && bytes.Length >= length)
        {
            CompletePayload(bytes[..length]);
            return length;
        }
        int take = Math.Min(length - _payloadLength, bytes.Length);
        if (_payload.Length < _payloadLength + take)
            Array.Resize(ref _payload, Math.Min(length, Math.Max(_payloadLength + take, _payload.Length * 2)));
        bytes[..take].CopyTo(_payload.AsSpan(_payloadLength));
        _payloadLength += take;
        if (_payloadLength == length) CompletePayload(_payload.AsSpan(0, length));
        return take;
    }

    private void CompletePayload(ReadOnlySpan<byte> payload)
    {
        _state = State.Header;
        var frame = Http2FramePayload.Parse(_frame, _frameOffset, payload, out var error);
        if (error is not null) _sink.OnError(error);
        if (frame is null) _sink.OnFrameDropped(_frame, _frameOffset);
        else _sink.OnFrame(frame);
    }

    private int OnDataPadLength(ReadOnlySpan<byte> bytes)
    {
        int pad = bytes[0];
        var error = Http2FramePayload.PaddingError(_frame, _frameOffset, pad);
        if (error is not null)
        {
            _sink.OnError(error);
            StartSkip(_frame.Length - 1, SkipEnd.Invalid);
            return 1;
        }
        _padLength = pad;
        StartData(_frame.Length - 1 - pad);
        return 1;
    }

    private void StartData(int dataLength)
    {
        _remaining = dataLength;
        _state = State.Data;
        if (dataLength == 0) AfterData();
    }

    private int OnData(ReadOnlySpan<byte> bytes)
    {
        int n = Math.Min(_remaining, bytes.Length);
        _sink.OnDataBytes(_frame, bytes[..n]);
        _dataSeen += n;
        _remaining -= n;
        if (_remaining == 0) AfterData();
        return n;
    }

    private void AfterData()
    {
        _remaining = _padLength;
        _state = State.DataPadding;
        if (_remaining == 0) EmitData(truncated: false);
    }

    private void EmitData(bool truncated)
    {
        _state = State.Header;
        _sink.OnFrame(new Http2DataFrame(_frameOffset, _frame.Length, _frame.StreamId, (int)(_dataSeen + _dataLost),
            _frame.Has(Http2FrameFlags.EndStream), _padLength, _dataLost, truncated));
    }

    private void StartSkip(int count, SkipEnd end)
    {
        _remaining = count;
        _skipEnd = end;
        _state = State.Skip;
        if (count == 0) EndSkip();
    }

    private int OnSkip(ReadOnlySpan<byte> bytes)
    {
        int n = Math.Min(_remaining, bytes.Length);
        _remaining -= n;
        if (_remaining > 0) return n;
        if (_state == State.DataPadding) EmitData(truncated: false);
        else EndSkip();
        return n;
    }

    private void EndSkip()
    {
        _state = State.Header;
        switch (_skipEnd)
        {
            case SkipEnd.Unknown:
                _sink.OnFrame(new Http2UnknownFrame(_frameOffset, _frame.Length, _frame.StreamId, (byte)_frame.Type, _frame.Flags));
                break;
            case SkipEnd.Invalid:
                _sink.OnFrameDropped(_frame, _frameOffset);
                break;
            default:
                Cut(restMoved: true);
                break;
        }
    }

    /// <summary>The current non-DATA frame was not captured whole: its payload's first <see cref="_payloadLength"/> octets were.</summary>
    private void Cut(bool restMoved) => _sink.OnFrameCut(_frame, _frameOffset, _payload.AsSpan(0, _payloadLength), restMoved);
}
