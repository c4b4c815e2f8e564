namespace Capture.Recorder.Redaction;

/// <summary>
/// HTTP/1.x for redaction: start lines and header lines are gathered whole (and held back while they may carry a
/// secret); bodies are skipped by their framing (Content-Length, chunked, until close) without looking at them,
/// which is the cheap path most bytes take. After lost bytes or input that is not HTTP it scans line by line,
/// still redacting any line that is a secret header field, until a start line resynchronises it. A line it must let
/// go of unfinished fails closed (filler to its end); after CONNECT each direction starts over as a new connection.
/// This file holds the line loop (<see cref="Feed"/>: body bytes skipped, lines handed on by state) and what lost bytes
/// and a full hold do to it; the ideas it hands on to are a file each: Http1Scanner.StartLines (messages begin and end,
/// --allow/--deny), .FieldLines (secret fields replaced, framing fields read), .BodyFraming (where a body ends) and
/// .UnfinishedLines (lines held back, cut short or let go of).
/// </summary>
internal sealed partial class Http1Scanner : DirectionScanner
{
    private enum State { StartLine, Headers, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Opaque, Lost }

    /// <summary>Fields whose values decide more than themselves: where the body ends, and which host --allow/--deny match.</summary>
    private enum ReadField { None, Framing, Host }

    private readonly RedactionPolicy _policy;
    private readonly ValueRewriter _rewriter;
    private readonly Http1Pairing _pairing;
    private readonly ConnectionContext _connection;
    private readonly int _direction;
    private State _state;
    private long _remaining;

    private byte[] _line = new byte[256];
    private int _lineLength;
    private long _lineStart;
    private bool _lineHeld;
    private bool _lineCapped;
    /// <summary>A line that is or may be secret was let go unfinished (it outgrew the hold, or bytes of it were lost):
    /// its remaining bytes are overwritten with filler up to the end of the line.</summary>
    private bool _filling;
    /// <summary>The last field line was a secret field's: a continuation line (obs-fold) after it is secret too.</summary>
    private bool _lastFieldSecret;
    /// <summary>What the last field line was read for: a continuation line after it (obs-fold, which a user agent joins to
    /// the value) leaves that value unread.</summary>
    private ReadField _lastFieldRead;
    /// <summary>The bytes just before the next line were not captured (joined mid-way, or a hole): it may be the rest of
    /// a line whose start went with them ("ie: session=…" of a Cookie field). Held whole, and stored as filler unless it
    /// is a start line.</summary>
    private bool _lineStartUnseen;

    public Http1Scanner(IHeldBytes held, RedactionPolicy policy, ConnectionContext connection, int direction, bool atStart) : base(held)
    {
        _policy = policy;
        _rewriter = new ValueRewriter(policy);
        _connection = connection;
        _pairing = connection.Http1;
        _direction = direction;
        _exchanges = policy.Exchanges;
        _state = atStart ? State.StartLine : State.Lost;
        _lineStartUnseen = !atStart;
        _decided = true;
    }

    public override long HoldFrom => !_decided && !_exchanges.IsEmpty ? _messageStart : _lineLength > 0 && _lineHeld ? _lineStart : NothingHeld;

    public override int Feed(ReadOnlySpan<byte> data, long pos, bool callStart)
    {
        int i = 0;
        while (i < data.Length && Successor is null)
        {
            switch (_state)
            {
                case State.Body or State.ChunkData:
                    int skip = (int)Math.Min(_remaining, data.Length - i);
                    if (_elide) Held.Elide(pos + i, pos + i + skip);
                    i += skip;
                    _remaining -= skip;
                    if (_remaining == 0)
                    {
                        if (_state == State.Body) EndMessage();
                        else _state = State.ChunkDataEnd;
                    }
                    break;
                case State.UntilClose or State.Opaque:
                    if (_elide) Held.Elide(pos + i, pos + data.Length);
                    return data.Length;
                default:
                    i += ReadLine(data[i..], pos + i);
                    break;
            }
        }
        return i;
    }

    private int ReadLine(ReadOnlySpan<byte> data, long pos)
    {
        int newline = data.IndexOf((byte)'\n');
        int take = newline < 0 ? data.Length : newline + 1;
        if (_elide) Held.Elide(pos, pos + take); // a line of a message --deny keeps out, known to be one before it began
        if (_filling)
        {
            int end = newline < 0 ? take : (newline > 0 && data[newline - 1] == '\r' ? newline - 1 : newline);
            if (end > 0) Fill(pos, end);
            if (newline >= 0) _filling = false;
            return take;
        }
        if (_lineLength == 0)
        {
            _lineStart = pos;
            if (newline >= 0)
            {
                // The whole line is in this call, the usual case: read where it lies, without gathering it first.
                _lineLength = take;
                OnLine(data[..Http1Lines.ContentEnd(data[..take])]);
                _lineLength = 0;
                return take;
            }
        }
        Append(data[..take]);
        if (newline >= 0)
        {
            var line = _line.AsSpan(0, _lineLength);
            if (!_lineCapped) OnLine(line[..Http1Lines.ContentEnd(line)]);
            else if (_state == State.Headers) FieldCut(line);
            _lineLength = 0;
            _lineCapped = false;
            _lineHeld = false;
        }
        else
        {
            _lineHeld = !_lineCapped && MayBeSecret(_line.AsSpan(0, _lineLength));
        }
        return take;
    }

    private void OnLine(ReadOnlySpan<byte> line)
    {
        if (_lineStartUnseen)
        {
            _lineStartUnseen = false;
            if (!line.IsEmpty && !LooksLikeStartLine(line))
            {
                Fill(_lineStart, line.Length);
                _policy.Overflows++;
                return;
            }
        }
        switch (_state)
        {
            case State.StartLine:
                StartLine(line);
                break;
            case State.Lost:
                if (line.IsEmpty) break;
                if (LooksLikeStartLine(line)) StartLine(line);
                else HeaderLine(line, framing: false);
                break;
            case State.Headers:
                if (line.IsEmpty) EndOfHeaders();
                else HeaderLine(line, framing: true);
                break;
            case State.Trailers:
                if (line.IsEmpty) EndMessage();
                else HeaderLine(line, framing: false);
                break;
            case State.ChunkSize:
                ChunkSize(line);
                break;
            case State.ChunkDataEnd:
                if (line.IsEmpty) _state = State.ChunkSize;
                else FramingLost();
                break;
        }
    }

    public override void Lost(long bytes)
    {
        if (_state is State.Body or State.ChunkData && _remaining >= bytes)
        {
            _remaining -= bytes;
            if (_remaining == 0)
            {
                if (_state == State.Body) EndMessage();
                else _state = State.ChunkDataEnd;
            }
            return;
        }
        if (_state is State.UntilClose or State.Opaque) return;
        _pairing.Uncertain = true; // the hole may hold whole messages
        if (!_decided) Decide(_messageStart);
        _elide = false;
        LetGoOfHeldLine(); // fails closed: what is held of a secret line, and the rest of it after the hole, become filler
        _state = State.Lost;
        _lineLength = 0;
        _lineCapped = false;
        _lineStartUnseen = !_filling; // a line being filled is filler to its end already
    }

    public override void GiveUpHolding()
    {
        // A request head too long to wait for its Host header (or cut off by the connection's end): decided on what
        // was seen, and kept out, when patterns are given, if its host is not known yet.
        bool requestLineCut = false;
        if (_state == State.StartLine && _lineHeld)
        {
            if (_line.AsSpan(0, _lineLength).StartsWith("HTTP/1."u8)) StatusLineCut();
            else requestLineCut = RequestLineCut();
        }
        if (!_decided) Decide(_lineStart + _lineLength, failClosed: true);
        LetGoOfHeldLine(); // read as a start line's: a request line's query, as far as held, and the rest of it are filler
        if (requestLineCut) _state = State.Headers;
    }
}
