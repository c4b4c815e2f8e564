namespace Capture.Analyzer.Http1;

/// <summary>After the head: choosing the body length (RFC 9112 §6.3) and reading the body in each framing.</summary>
internal sealed partial class Http1StreamParser
{
    private void OnHeadComplete(long headEnd)
    {
        _message.HeadEndOffset = headEnd;
        string? requestMethod = _kind == Http1MessageKind.Response && _message.Status is null or >= 200
            ? RequestMethodForNextResponse?.Invoke()
            : null;
        JudgeHost();
        var framing = MessageFraming.Decide(_message, requestMethod);
        if (framing.Error is not null && framing.Body != BodyKind.Invalid)
        {
            AddError(framing.ErrorOffset, framing.ErrorCode, framing.Error);
            _message.Flags |= Http1MessageFlags.Malformed;
        }
        switch (framing.Body)
        {
            case BodyKind.None:
                Finish(headEnd, Http1MessageFlags.None);
                break;
            case BodyKind.Fixed:
                _remaining = framing.Length;
                _message.ReservePreview(framing.Length);
                _state = State.FixedBody;
                break;
            case BodyKind.Chunked:
                _message.Flags |= Http1MessageFlags.Chunked;
                _state = State.ChunkSize;
                break;
            case BodyKind.CloseDelimited:
                _message.Flags |= Http1MessageFlags.CloseDelimited;
                _state = State.CloseDelimited;
                break;
            case BodyKind.UntilNextMessage:
                RunBodyToNextMessage();
                break;
            case BodyKind.SwitchProtocol:
                Emit(headEnd, Http1MessageFlags.Upgrade);
                Stop(headEnd);
                break;
            default:
                AddError(framing.ErrorOffset, framing.ErrorCode, framing.Error!);
                Abandon(headEnd, atLineStart: true);
                break;
        }
    }

    /// <summary>
    /// RFC 9112 §3.2: a request with more than one Host field line gets a 400, for the host it names is ambiguous: a proxy
    /// may route it by one and the server serve it by the other. The first names the exchange's host; the request is
    /// malformed, so that its host is not taken at its word.
    /// </summary>
    private void JudgeHost()
    {
        if (_kind != Http1MessageKind.Request) return;
        int first = _message.Headers.FindIndex(h => h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase));
        if (first < 0) return;
        int second = _message.Headers.FindIndex(first + 1, h => h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase));
        if (second < 0) return;
        AddError(_message.HeaderOffset(second), Http1ErrorCode.InvalidHost, "more than one Host field line");
        _message.Flags |= Http1MessageFlags.Malformed;
    }

    /// <summary>A request that sent `Expect: 100-continue` and then no byte of its content: it is waiting for 100 (Continue),
    /// or, if a final status came instead, will never send the content (RFC 9110 §10.1.1).</summary>
    private bool AwaitsContinue()
    {
        if (_kind != Http1MessageKind.Request || _state is not (State.FixedBody or State.ChunkSize) || _position != _message.HeadEndOffset)
            return false;
        foreach (var (name, value) in _message.Headers)
        {
            // Expect = #expectation, case-insensitive; 100-continue is the only expectation defined.
            if (name.Equals("Expect", StringComparison.OrdinalIgnoreCase) && value.Contains("100-continue", StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    private int OnFixedBody(ReadOnlySpan<byte> bytes)
    {
        int n = (int)Math.Min(_remaining, bytes.Length);
        _message.AppendBody(bytes[..n]);
        _remaining -= n;
        if (_remaining == 0) Finish(_position + n, Http1MessageFlags.None);
        return n;
    }

    private int OnChunkSize(ReadOnlySpan<byte> bytes)
    {
        long lineStart = _line.InProgress ? _line.LineStart : _position;
        switch (_line.Take(bytes, _position, lineStart + _limits.MaxHeadBytes, out var line, out int used))
        {
            case LineStatus.NeedMore:
                return used;
            case LineStatus.TooLong:
                AddError(lineStart, Http1ErrorCode.InvalidChunkSize, _chunkLineTooLong);
                Abandon(_position + used, atLineStart: false);
                return used;
        }

        var error = ChunkSizeLine.Parse(line, out long size);
        if (error is not null)
        {
            FailAtLine(line, lineStart, Http1ErrorCode.InvalidChunkSize, error);
        }
        else if (size == 0)
        {
            _trailerStart = _position + used;
            _state = State.Trailers;
        }
        else
        {
            _remaining = size;
            _state = State.ChunkData;
        }
        return used;
    }

    private int OnChunkData(ReadOnlySpan<byte> bytes)
    {
        int n = (int)Math.Min(_remaining, bytes.Length);
        _message.AppendBody(bytes[..n]);
        _remaining -= n;
        if (_remaining == 0) _state = State.ChunkDataCr;
        return n;
    }

    private int OnChunkDataEnd(ReadOnlySpan<byte> bytes, bool sawCr)
    {
        byte b = bytes[0];
        if (!sawCr && b == '\r')
        {
            _state = State.ChunkDataLf;
            return 1;
        }
        if (b == '\n')
        {
            _state = State.ChunkSize;
            return 1;
        }
        AddError(_position, Http1ErrorCode.InvalidChunkFraming, "invalid chunked body: chunk data not followed by CRLF");
        Abandon(_position, atLineStart: false);
        return 0;
    }

    private int OnCloseDelimited(ReadOnlySpan<byte> bytes)
    {
        _message.AppendBody(bytes);
        return bytes.Length;
    }
}
