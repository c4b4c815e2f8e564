namespace Capture.Analyzer.Http1;

/// <summary>Holes in the stream: bytes lost to drops (<see cref="Gap"/>) and bytes moved but never captured
/// (<see cref="Uncaptured"/>: the per-call cap, sendfile), and how far the framing carries the parser across them.</summary>
internal sealed partial class Http1StreamParser
{
    /// <summary>
    /// The message in progress lost its framing to uncaptured bytes (its head, or a chunk-size line, was cut by the
    /// per-call cap): it runs on until the next message begins (a start line, looked for as after a gap) or the stream
    /// ends, and then ends normally. The recorder saw every byte move, so nothing suggests it was cut short.
    /// A request whose request line did not parse runs on the same way (see <see cref="BeginUnparsedRequest"/>), and so
    /// does the body of a response whose status line did not parse, when its head gave no framing (see <see cref="BeginUnparsedResponse"/>).
    /// </summary>
    private bool _runsToNextMessage;

    /// <summary>Where each hole of lost bytes began that lay wholly inside one body of known length (Content-Length, or
    /// one chunk's data) or in a body that runs until close: the framing measured it, so no message can have been lost in it.</summary>
    private readonly HashSet<long> _holesWithinBodies = [];

    /// <summary>Whether the hole of lost bytes that began at <paramref name="position"/> lay wholly inside one body of
    /// known length: the messages after it pair as if nothing was lost.</summary>
    public bool HoleWithinBody(long position) => _holesWithinBodies.Contains(position);

    /// <summary>
    /// <paramref name="lostBytes"/> bytes of the stream were not captured. Inside a body of known length
    /// (Content-Length, or the data of one chunk) the parser steps over them and the message can still
    /// complete, flagged Gap; so it does in a body that runs until close, which nothing can follow on its connection
    /// (RFC 9112 §6.3 item 8): the close still ends it. Anywhere else the message in progress ends Incomplete|Gap and
    /// the parser resynchronises after the gap.
    /// </summary>
    public void Gap(long lostBytes) => Hole(lostBytes, uncaptured: false);

    /// <summary>
    /// <paramref name="bytes"/> bytes of the stream moved but were not captured: the tail of a call cut by the per-call
    /// cap, or sendfile. They were neither lost nor reordered, so the message in progress goes on: across them in any
    /// body the framing can measure (Content-Length, one chunk's data, until close), and otherwise to the next message
    /// (see <see cref="_runsToNextMessage"/>). The message is flagged Gap (some of its bytes are missing), never Incomplete.
    /// </summary>
    public void Uncaptured(long bytes) => Hole(bytes, uncaptured: true);

    private void Hole(long bytes, bool uncaptured)
    {
        if (bytes <= 0) return;
        bool withinBody = (_state is State.FixedBody or State.ChunkData && bytes <= _remaining || _state == State.CloseDelimited) &&
                          (_stopAt < 0 || bytes < _stopAt - _position);
        if (withinBody && !uncaptured) _holesWithinBodies.Add(_position);
        if (_stopAt >= 0 && bytes >= _stopAt - _position)
        {
            long before = _stopAt - _position;
            Lose(before, uncaptured);
            Stop(_stopAt);
            bytes -= before;
        }
        if (bytes > 0) Lose(bytes, uncaptured);
    }

    private void Lose(long count, bool uncaptured)
    {
        if (uncaptured && _state == State.StartLine && _line.InProgress && TryBeginCutStartLine())
            _state = State.Headers;   // the message it began lost its framing, as when the cap cuts a field line
        switch (_state)
        {
            case State.Stopped:
                _position += count;
                return;
            case State.FixedBody:
                long inBody = Math.Min(count, _remaining);
                _message.SkipBody(inBody);
                _remaining -= inBody;
                _position += inBody;
                count -= inBody;
                if (_remaining > 0) return;
                Finish(_position, Http1MessageFlags.None);
                if (count == 0) return;
                break;
            case State.ChunkData when count <= _remaining:
                _message.SkipBody(count);
                _remaining -= count;
                _position += count;
                if (_remaining == 0) _state = State.ChunkDataCr;
                return;
            case State.CloseDelimited:
                _message.SkipBody(count);
                _position += count;
                return;
            case State.StartLine or State.SkipLine:
                break;
            case var _ when uncaptured:
                _message.Flags |= Http1MessageFlags.Gap;
                _runsToNextMessage = true;
                break;
            default:
                Emit(_position, Http1MessageFlags.Gap | Http1MessageFlags.Incomplete);
                break;
        }
        if (uncaptured && count > MaxBytesBetweenMessages && AtMessageBoundary) BeginUncapturedMessage();
        // Whatever follows the hole may begin a message right away (lost events are often whole writes, and the
        // bytes after an uncaptured tail begin the next call).
        _position += count;
        Resync(atLineStart: true);
    }

    /// <summary>The CRLF a client may send after a request body, which a server skips (RFC 9112 §2.2): uncaptured bytes
    /// past a message's end that are no more than that may begin no message.</summary>
    private const int MaxBytesBetweenMessages = 2;

    /// <summary>The last message ended here, and nothing of the next has been seen.</summary>
    private bool AtMessageBoundary => _state == State.StartLine && !_resync && !_runsToNextMessage && !_line.InProgress;

    /// <summary>
    /// Uncaptured bytes begin at a message boundary (past the end of a body the cap cut, or right after a whole message):
    /// they moved on the wire, and on a persistent connection what follows a message is the next one, so a message began
    /// in them, though none of it can be read. It is reported with no start line, flagged Gap, running to the next start
    /// line as a message whose head the cap cut does, so that it keeps its place among the messages (requests and
    /// responses pair by order): dropped, it let the next request be shown with its answer. How many whole messages
    /// the hole held past the first cannot be told, as with any message the cap cut.
    /// </summary>
    private void BeginUncapturedMessage()
    {
        _message.BeginUnparsed(_position);
        _message.Flags |= Http1MessageFlags.Gap;
        _runsToNextMessage = true;
    }

    /// <summary>
    /// The cap cut the start line in progress: the message it began is reported as far as the line goes, so that it keeps
    /// its place among the messages (requests and responses pair by order). A request needs its method and the SP after
    /// it (the target is what was captured of it); a response its version and status code. A line cut sooner, right after
    /// a message whose framing ended there, still began the next message when what was captured of it could begin a
    /// start line (see <see cref="CouldBeginStartLine"/>): it is reported with no start line, as one wholly uncaptured is.
    /// Anything else is dropped: after a gap or an error the parser is not at a message boundary, and bytes such as a
    /// body that ran long would otherwise become messages.
    /// </summary>
    private bool TryBeginCutStartLine()
    {
        var partial = _line.Partial;
        long lineStart = _line.LineStart;
        if (_kind == Http1MessageKind.Request ? TryBeginCutRequestLine(partial, lineStart) : TryBeginCutStatusLine(partial, lineStart))
            return true;
        if (_resync || _runsToNextMessage || !CouldBeginStartLine(partial)) return false;
        _message.BeginUnparsed(lineStart);
        return true;
    }

    private bool TryBeginCutRequestLine(ReadOnlySpan<byte> partial, long lineStart)
    {
        int sp = partial.IndexOf((byte)' ');
        if (sp <= 0 || !Http1Syntax.IsToken(partial[..sp]) || _resync && !StartLineParser.IsPlausibleMethod(partial[..sp])) return false;
        var target = partial[(sp + 1)..];
        int targetEnd = target.IndexOf((byte)' ');
        if (targetEnd >= 0) target = target[..targetEnd];
        if (target.ContainsAny(Http1Syntax.NotInTarget)) return false;
        EndUnframedMessage(lineStart);
        _message.BeginCutRequest(partial, new RequestLine(sp, sp + 1, target.Length, 0), lineStart);
        return true;
    }

    private bool TryBeginCutStatusLine(ReadOnlySpan<byte> partial, long lineStart)
    {
        if (StartLineParser.ParseStatusLine(partial, out var status) is not null) return false;
        EndUnframedMessage(lineStart);
        _message.BeginResponse(partial, status, lineStart);
        return true;
    }

    /// <summary>Whether a start line cut this soon may be the beginning of one: a request's method before its SP ("GE"),
    /// a response's version before its status code is whole ("HT", "HTTP/1.1 4").</summary>
    private bool CouldBeginStartLine(ReadOnlySpan<byte> partial) =>
        _kind == Http1MessageKind.Request
            ? partial.IndexOf((byte)' ') < 0 && StartLineParser.IsPlausibleMethod(partial)
            : partial.StartsWith("HTTP/"u8) || "HTTP/"u8.StartsWith(partial);
}
