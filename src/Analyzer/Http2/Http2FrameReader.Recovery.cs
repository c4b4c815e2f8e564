namespace Capture.Analyzer.Http2;

/// <summary>
/// Losing and finding frame boundaries: lost bytes (<see cref="Gap"/>), the end of the stream, and scanning for
/// the next frame boundary with <see cref="Http2FrameScanner"/>.
/// </summary>
internal sealed partial class Http2FrameReader
{
    /// <summary>
    /// <paramref name="lostBytes"/> bytes were not captured. Inside the current frame's payload the frame is
    /// stepped over (DATA is still reported, with its lost octets counted; another frame is reported cut, with the
    /// octets captured before the gap); otherwise the reader scans for a frame boundary after the gap.
    /// </summary>
    public void Gap(long lostBytes)
    {
        if (lostBytes <= 0) return;
        long offset = _position;
        _position += lostBytes;
        if (_state == State.Ended) return;
        long left = _state switch
        {
            State.Payload => _frame.Length - _payloadLength,
            State.DataPadLength => _frame.Length,
            State.Data => _remaining + _padLength,
            State.DataPadding or State.Skip => _remaining,
            _ => -1,
        };
        if (lostBytes > left)
        {
            // The gap reaches past the current frame (or there is none): finish what is known of it, then scan.
            if (_state is State.Data or State.DataPadding or State.DataPadLength)
            {
                if (_state == State.DataPadLength) _padLength = 0;
                if (_state != State.DataPadding) _dataLost += _state == State.Data ? _remaining : _frame.Length - 1;
                EmitData(truncated: false);
            }
            else if (_state is State.Payload || (_state == State.Skip && _skipEnd == SkipEnd.Cut)) Cut(restMoved: true);
            else if (_state == State.Skip && _skipEnd == SkipEnd.Invalid) _sink.OnFrameDropped(_frame, _frameOffset);
            _sink.OnGap(offset, lostBytes, framingLost: true);
            _expectSettings = false;
            BeginScan(_position, []);
            return;
        }

        _sink.OnGap(offset, lostBytes, framingLost: false);
        _offset += lostBytes;
        int lost = (int)lostBytes;
        switch (_state)
        {
            case State.Payload:
                StartSkip(_frame.Length - _payloadLength - lost, SkipEnd.Cut);
                break;
            case State.DataPadLength:
                // The Pad Length octet is lost: the rest of the payload counts as data.
                _padLength = 0;
                _dataLost = lost - 1;
                StartData(_frame.Length - lost);
                break;
            case State.Data:
                int data = Math.Min(lost, _remaining);
                _dataLost += data;
                _remaining -= data;
                if (_remaining > 0) break;
                _remaining = _padLength - (lost - data);
                _state = State.DataPadding;
                if (_remaining == 0) EmitData(truncated: false);
                break;
            case State.DataPadding:
                _remaining -= lost;
                if (_remaining == 0) EmitData(truncated: false);
                break;
            case State.Skip:
                _remaining -= lost;
                if (_remaining == 0) EndSkip();
                break;
        }
    }

    /// <summary>The stream ended. A DATA frame in progress is reported Truncated; any other partial frame is cut, or
    /// dropped if it was invalid.</summary>
    public void End()
    {
        // Bytes held while scanning get a last look: no more bytes will come to confirm or refute a candidate.
        while (_state == State.Scan && _scanner.Finish(_maxFrameSize, _clientToServer))
        {
            FoundBoundary();
            _replay = _found!;
            _replayStart = 0;
            _found = null;
            Process([]);
        }
        switch (_state)
        {
            case State.Data or State.DataPadding or State.DataPadLength:
                EmitData(truncated: true);
                break;
            case State.Payload:
            case State.Skip when _skipEnd == SkipEnd.Cut:
                Cut(restMoved: false);
                break;
            case State.Skip when _skipEnd == SkipEnd.Invalid:
                _sink.OnFrameDropped(_frame, _frameOffset);
                break;
        }
        _state = State.Ended;
    }

    private void BeginScan(long offset, ReadOnlySpan<byte> seen)
    {
        _headerLength = 0;
        _scanner.Begin(offset, seen);
        _state = State.Scan;
    }

    private int OnScan(ReadOnlySpan<byte> bytes)
    {
        if (_scanner.Scan(bytes, _maxFrameSize, _clientToServer, out int consumed)) FoundBoundary();
        return consumed;
    }

    private void FoundBoundary()
    {
        _offset = _scanner.FoundOffset;
        _found = _scanner.Found.ToArray();
        _state = State.Header;
        _sink.OnSynchronised(_offset);
    }
}
