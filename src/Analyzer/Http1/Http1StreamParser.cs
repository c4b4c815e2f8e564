namespace Capture.Analyzer.Http1;

/// <summary>
/// Incremental HTTP/1.x parser (RFC 9112) for one direction of one connection. Bytes arrive in any split;
/// every decision depends only on the bytes, so feeding a stream whole or one byte at a time gives the same
/// messages and errors. It never throws on input: what it cannot parse becomes an <see cref="Http1ParseError"/>
/// and a message flagged Malformed, and it resynchronises on the next line that starts a plausible message.
/// Memory is bounded by <see cref="Http1Limits"/>: one head of at most MaxHeadBytes and one body preview.
/// </summary>
internal sealed partial class Http1StreamParser
{
    private enum State
    {
        /// <summary>Expecting a start line; empty lines before it are skipped (RFC 9112 §2.2).</summary>
        StartLine,
        /// <summary>Resynchronising: discarding through the next LF.</summary>
        SkipLine,
        /// <summary>Start line parsed; reading field lines up to the empty line.</summary>
        Headers,
        /// <summary>Content-Length body, <see cref="_remaining"/> bytes left.</summary>
        FixedBody,
        /// <summary>Expecting a chunk-size line (RFC 9112 §7.1).</summary>
        ChunkSize,
        /// <summary>Chunk data, <see cref="_remaining"/> bytes left.</summary>
        ChunkData,
        /// <summary>Expecting the CRLF (or bare LF) that ends chunk data.</summary>
        ChunkDataCr,
        /// <summary>Chunk data's CR seen, expecting LF.</summary>
        ChunkDataLf,
        /// <summary>After the last chunk: field lines up to the empty line (RFC 9112 §7.1.2).</summary>
        Trailers,
        /// <summary>A response body that runs until the connection closes (RFC 9112 §6.3 item 8).</summary>
        CloseDelimited,
        /// <summary>Switched protocol or ended: later bytes only advance <see cref="Position"/>.</summary>
        Stopped,
    }

    private readonly Http1MessageKind _kind;
    private readonly Http1Limits _limits;
    private readonly LineAssembler _line;
    private readonly MessageBuilder _message;
    private readonly string _headTooLarge, _trailersTooLarge, _chunkLineTooLong, _tooManyHeaders, _tooManyTrailers;

    private State _state = State.StartLine;
    /// <summary>In <see cref="State.StartLine"/>: lines that do not start a plausible message are skipped without an error.</summary>
    private bool _resync;
    private long _position;
    private long _remaining;
    private long _trailerStart;
    private long _stopAt = -1;

    public Http1StreamParser(Http1MessageKind kind, Http1Limits? limits = null)
    {
        _limits = limits ?? Http1Limits.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxHeadBytes, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfNegative(_limits.MaxHeaderCount, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfNegative(_limits.BodyPreviewBytes, nameof(limits));
        _kind = kind;
        _line = new LineAssembler(_limits.MaxHeadBytes);
        _message = new MessageBuilder(kind, _limits.BodyPreviewBytes);
        _headTooLarge = $"message head exceeds {_limits.MaxHeadBytes} bytes";
        _trailersTooLarge = $"trailer section exceeds {_limits.MaxHeadBytes} bytes";
        _chunkLineTooLong = $"invalid chunk size: line exceeds {_limits.MaxHeadBytes} bytes";
        _tooManyHeaders = $"message head has more than {_limits.MaxHeaderCount} header fields";
        _tooManyTrailers = $"trailer section has more than {_limits.MaxHeaderCount} fields";
    }

    /// <summary>
    /// For a response parser: asked, when a final (non-1xx) response's head is complete, for the method of the
    /// request it answers. HEAD means no body; CONNECT with 2xx means a tunnel. Null (or no callback) means
    /// unknown, treated like GET. It is asked exactly once per final response whose head completed (a response whose
    /// status line did not parse counts as final), in stream order, so a caller can dequeue one request per call.
    /// 1xx responses (101 included) are not asked: a 101 answers the request that the next call would have returned.
    /// A response cut off inside its head (gap, End, error) is not asked either.
    /// </summary>
    public Func<string?>? RequestMethodForNextResponse { get; set; }

    /// <summary>Stream offset of the next byte to be fed.</summary>
    public long Position => _position;

    /// <summary>Finished messages in stream order; the caller may clear it.</summary>
    public List<Http1Message> Messages { get; } = [];

    /// <summary>Parse errors in stream order; the caller may clear it.</summary>
    public List<Http1ParseError> Errors { get; } = [];

    /// <summary>True once the stream switched protocol (101, 2xx to CONNECT, or <see cref="StopAt"/>).</summary>
    public bool Upgraded { get; private set; }

    /// <summary>Stream offset where the other protocol begins; -1 until <see cref="Upgraded"/>.</summary>
    public long UpgradeOffset { get; private set; } = -1;

    /// <summary>Parses the next consecutive bytes of the stream.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        if (_stopAt >= 0 && bytes.Length >= _stopAt - _position)
        {
            int before = (int)(_stopAt - _position);
            Consume(bytes[..before]);
            Stop(_stopAt);
            bytes = bytes[before..];
        }
        Consume(bytes);
    }

    /// <summary>
    /// The stream ended. A message in progress is reported Incomplete (and ContentNotSent, when a request that expected
    /// 100 (Continue) ended with its head), except a close-delimited body, or a
    /// message that lost its framing to uncaptured bytes (<see cref="Uncaptured"/>), which end here normally.
    /// Later calls are ignored.
    /// </summary>
    public void End()
    {
        if (_state == State.Stopped) return;
        if (_state == State.CloseDelimited || _runsToNextMessage) Emit(_position, Http1MessageFlags.None);
        else if (_message.Active) Emit(_position, Http1MessageFlags.Incomplete | (AwaitsContinue() ? Http1MessageFlags.ContentNotSent : 0));
        _line.Reset();
        _state = State.Stopped;
        _stopAt = -1;
    }

    /// <summary>
    /// The connection switches protocol at stream offset <paramref name="offset"/> (the caller saw the 101 or
    /// the 2xx to CONNECT on the other direction): bytes from there on are ignored and <see cref="Upgraded"/>
    /// is set. The message ending exactly there, if still in <see cref="Messages"/>, gets the Upgrade flag.
    /// An offset already passed takes back what was parsed from it: messages and errors starting there are
    /// removed from the lists, and a message straddling it is reported Incomplete, ending there. Once stopped,
    /// later calls are ignored; of several offsets still ahead, the earliest counts.
    /// </summary>
    public void StopAt(long offset)
    {
        if (_state == State.Stopped) return;
        if (offset > _position)
        {
            _stopAt = _stopAt < 0 ? offset : Math.Min(_stopAt, offset);
            return;
        }
        if (offset < _position)
        {
            Messages.RemoveAll(m => m.StartOffset >= offset);
            Errors.RemoveAll(e => e.Offset >= offset);
            _noMessageStarts.RemoveAll(o => o >= offset);
            if (_message.Active && _message.StartOffset >= offset) Discard();
            if (_message.HeadEndOffset > offset) _message.HeadEndOffset = -1;
        }
        Stop(offset);
    }

    private void Stop(long offset)
    {
        if (Messages.Count > 0 && Messages[^1].EndOffset == offset)
            Messages[^1] = Messages[^1] with { Flags = Messages[^1].Flags | Http1MessageFlags.Upgrade };
        if (_message.Active) Emit(offset, _runsToNextMessage ? Http1MessageFlags.None : Http1MessageFlags.Incomplete);
        Upgraded = true;
        UpgradeOffset = offset;
        _line.Reset();
        _state = State.Stopped;
        _stopAt = -1;
    }

    private void Consume(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            // Each step consumes bytes from the front; a step that consumes none has changed state.
            int used = _state switch
            {
                State.StartLine => OnStartLine(bytes),
                State.SkipLine => OnSkipLine(bytes),
                State.Headers => OnFieldLine(bytes, trailer: false),
                State.FixedBody => OnFixedBody(bytes),
                State.ChunkSize => OnChunkSize(bytes),
                State.ChunkData => OnChunkData(bytes),
                State.ChunkDataCr => OnChunkDataEnd(bytes, sawCr: false),
                State.ChunkDataLf => OnChunkDataEnd(bytes, sawCr: true),
                State.Trailers => OnFieldLine(bytes, trailer: true),
                State.CloseDelimited => OnCloseDelimited(bytes),
                _ => bytes.Length,
            };
            _position += used;
            bytes = bytes[used..];
        }
    }

    private int OnStartLine(ReadOnlySpan<byte> bytes)
    {
        if (_resync && !_line.InProgress && !CanStartMessage(bytes[0]))
        {
            _state = State.SkipLine;
            return 0;
        }
        long lineStart = _line.InProgress ? _line.LineStart : _position;
        switch (_line.Take(bytes, _position, lineStart + _limits.MaxHeadBytes, out var line, out int used))
        {
            case LineStatus.NeedMore:
                return used;
            case LineStatus.TooLong:
                if (!_resync)
                {
                    AddError(lineStart, Http1ErrorCode.HeadTooLarge, _headTooLarge);
                    if (_kind == Http1MessageKind.Request) BeginUnparsedRequest(lineStart, line);
                    else if (!line.StartsWith("HTTP/"u8)) _noMessageStarts.Add(lineStart);
                }
                Resync(atLineStart: false);
                return used;
            default:
                if (!line.IsEmpty) TryBeginMessage(line, lineStart);
                return used;
        }
    }

    /// <summary>While resynchronising, a line can only start a message if its first byte could.</summary>
    private bool CanStartMessage(byte first) =>
        _kind == Http1MessageKind.Request ? first is >= (byte)'A' and <= (byte)'Z' : first == 'H';

    /// <summary>
    /// Starts a message if <paramref name="line"/> is a start line. While resynchronising, a line that is not
    /// a plausible start (requests: a known or all-uppercase method) is skipped silently; otherwise it is an error.
    /// </summary>
    private void TryBeginMessage(ReadOnlySpan<byte> line, long lineStart)
    {
        string? error;
        if (_kind == Http1MessageKind.Request)
        {
            error = StartLineParser.ParseRequestLine(line, out var request);
            if (error is null && (!_resync || StartLineParser.IsPlausibleMethod(line[..request.MethodLength])))
            {
                EndUnframedMessage(lineStart);
                _message.BeginRequest(line, request, lineStart);
                _state = State.Headers;
                _resync = false;
                return;
            }
        }
        else
        {
            error = StartLineParser.ParseStatusLine(line, out var status);
            if (error is null)
            {
                EndUnframedMessage(lineStart);
                _message.BeginResponse(line, status, lineStart);
                _state = State.Headers;
                _resync = false;
                return;
            }
        }
        if (error is not null && !_resync)
        {
            AddError(lineStart, Http1ErrorCode.InvalidStartLine, error);
            if (_kind == Http1MessageKind.Request) BeginUnparsedRequest(lineStart, line);
            else if (line.StartsWith("HTTP/"u8))
            {
                BeginUnparsedResponse(lineStart);
                return;
            }
            else _noMessageStarts.Add(lineStart);
            _resync = true;
        }
    }

    /// <summary>A message that lost its framing to uncaptured bytes ends where the next one begins.</summary>
    private void EndUnframedMessage(long nextStart)
    {
        if (_runsToNextMessage) Emit(nextStart, Http1MessageFlags.None);
    }

    private int OnSkipLine(ReadOnlySpan<byte> bytes)
    {
        int lf = bytes.IndexOf((byte)'\n');
        if (lf < 0) return bytes.Length;
        _state = State.StartLine;
        _resync = true;
        return lf + 1;
    }

    private int OnFieldLine(ReadOnlySpan<byte> bytes, bool trailer)
    {
        long sectionStart = trailer ? _trailerStart : _message.StartOffset;
        switch (_line.Take(bytes, _position, sectionStart + _limits.MaxHeadBytes, out var line, out int used))
        {
            case LineStatus.NeedMore:
                return used;
            case LineStatus.TooLong:
                AddError(sectionStart, Http1ErrorCode.HeadTooLarge, trailer ? _trailersTooLarge : _headTooLarge);
                Abandon(_position + used, atLineStart: false);
                return used;
        }

        long lineStart = _line.LineStart, lineEnd = _position + used;
        if (line.IsEmpty)
        {
            if (trailer) Finish(lineEnd, Http1MessageFlags.None);
            else OnHeadComplete(lineEnd);
            return used;
        }

        int count = trailer ? _message.TrailerCount : _message.Headers.Count;
        if (FieldLineParser.IsContinuation(line))
        {
            if (count == 0)
            {
                FailAtLine(line, lineStart, Http1ErrorCode.InvalidHeader, "invalid header line: whitespace before the first field");
                return used;
            }
            // RFC 9112 §5.2: a recipient may replace each obs-fold with SP and go on.
            AddError(lineStart, Http1ErrorCode.ObsoleteLineFolding, "obsolete line folding: continuation joined to the previous field");
            _message.Flags |= Http1MessageFlags.Malformed;
            _message.FoldIntoLast(trailer, line);
            return used;
        }

        var error = FieldLineParser.Parse(line, out int nameLength, out var value);
        if (error is not null)
        {
            // A truncated head may run straight into the next message: the bad line gets a second look as a start line.
            FailAtLine(line, lineStart, Http1ErrorCode.InvalidHeader, error);
            return used;
        }
        if (count >= _limits.MaxHeaderCount)
        {
            AddError(lineStart, Http1ErrorCode.TooManyHeaders, trailer ? _tooManyTrailers : _tooManyHeaders);
            Abandon(lineStart, atLineStart: true);
            return used;
        }
        if (trailer) _message.AddTrailer(line[..nameLength], line[value]);
        else _message.AddHeader(line[..nameLength], line[value], lineStart);
        return used;
    }

    /// <summary>Reports a bad line, ends the message before it, and looks at the line once more as a start line.</summary>
    private void FailAtLine(ReadOnlySpan<byte> line, long lineStart, Http1ErrorCode code, string error)
    {
        AddError(lineStart, code, error);
        Abandon(lineStart, atLineStart: true);
        TryBeginMessage(line, lineStart);
    }

    private void Abandon(long endOffset, bool atLineStart)
    {
        Emit(endOffset, Http1MessageFlags.Malformed | Http1MessageFlags.Incomplete);
        Resync(atLineStart);
    }

    private void Resync(bool atLineStart)
    {
        _line.Reset();
        _state = atLineStart ? State.StartLine : State.SkipLine;
        _resync = true;
    }

    private void Finish(long endOffset, Http1MessageFlags flags)
    {
        Emit(endOffset, flags);
        _state = State.StartLine;
        _resync = false;
    }

    private void Emit(long endOffset, Http1MessageFlags flags)
    {
        if (_bodyRunsToNextMessage && _message.HeadEndOffset >= 0) _message.CountUnreadBody(endOffset - _message.HeadEndOffset);
        Messages.Add(_message.Build(endOffset, flags));
        _runsToNextMessage = _bodyRunsToNextMessage = false;
    }

    private void Discard()
    {
        _message.Discard();
        _runsToNextMessage = _bodyRunsToNextMessage = false;
    }

    private void AddError(long offset, Http1ErrorCode code, string message)
    {
        Errors.Add(new(offset, code, message));
        if (_message.Active) _message.AddFault(Http1RuleSection.Cited(code, message));
    }
}
