namespace Capture.Analyzer.Http1;

/// <summary>Start lines that do not parse, yet began a message the other end answers or was answered with: each is a
/// Malformed message of its own, so that requests and responses, which pair by order, keep pairing exactly.</summary>
internal sealed partial class Http1StreamParser
{
    /// <summary>A response whose status line did not parse, whose body, its head giving no framing, runs to the next
    /// message: the bytes between are counted as its body (see <see cref="BodyKind.UntilNextMessage"/>).</summary>
    private bool _bodyRunsToNextMessage;

    private readonly List<long> _noMessageStarts = [];

    /// <summary>
    /// Where bytes stood in place of a start line (after a message, or at the stream's start) that neither parsed nor began
    /// like one (a request's method and SP, a response's "HTTP/"), however long the line: most often a body longer than
    /// its Content-Length said. A line that began like a start line was the next message, and says nothing of the one
    /// before it. Lines skipped while resynchronising are not listed.
    /// </summary>
    public IReadOnlyList<long> NoMessageStarts => _noMessageStarts;

    /// <summary>
    /// A request line that does not parse still began a request: the server answers it (RFC 9112 §3: with 400, or a
    /// 301), so it is reported as a Malformed request with no method or target, and the answer pairs with it, not with
    /// the next request. It runs, as after a cut head, to the next start line or the stream's end. Bytes that do not
    /// begin with a method (<paramref name="line"/>, as far as read, up to the head limit when no line break came sooner)
    /// begin one too: a server reads them as a request line.
    /// </summary>
    private void BeginUnparsedRequest(long lineStart, ReadOnlySpan<byte> line)
    {
        EndUnframedMessage(lineStart);
        _message.BeginUnparsed(lineStart);
        _message.Flags |= Http1MessageFlags.Malformed;
        _runsToNextMessage = true;
        if (!StartLineParser.BeginsWithMethod(line)) _noMessageStarts.Add(lineStart);
    }

    /// <summary>
    /// A line that begins "HTTP/" where a response must start, but is no status line (a two-digit code, a malformed
    /// version), is still the server's answer to the next request: it is reported as a Malformed response with no status,
    /// so that the next request is paired with its own answer. Unlike a request's, its field lines are read: a response
    /// body seldom ends with a line break, so the next status line would be glued to it and missed by a search for lines,
    /// while the head's Content-Length or chunked coding says where it ends. Other bytes there (a body longer than its
    /// Content-Length said, another protocol) start no response.
    /// </summary>
    private void BeginUnparsedResponse(long lineStart)
    {
        EndUnframedMessage(lineStart);
        _message.BeginUnparsed(lineStart);
        _message.Flags |= Http1MessageFlags.Malformed;
        _state = State.Headers;
        _resync = false;
    }

    /// <summary>The head of a response whose status line did not parse gave no framing: it runs to the next status line.</summary>
    private void RunBodyToNextMessage()
    {
        _runsToNextMessage = _bodyRunsToNextMessage = true;
        Resync(atLineStart: true);
    }
}
