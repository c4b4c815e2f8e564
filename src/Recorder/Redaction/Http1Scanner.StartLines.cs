using System.Text;

namespace Capture.Recorder.Redaction;

/// <summary>Start lines: where a request or response begins and ends, what its start line says (a request target's
/// secrets included), and whether --allow/--deny keep the request, with its response.</summary>
internal sealed partial class Http1Scanner
{
    // --allow/--deny: a request is held from its start line until its Host header is known, then kept or elided
    // whole (with its response) as its bytes go by.
    private readonly ExchangePolicy _exchanges;
    private long _messageStart;
    private bool _decided, _elide, _hostKnown;
    /// <summary>The first Host line was too long to keep whole: the request is decided as one whose host is not known.</summary>
    private bool _hostUnread;
    private RequestKind _kind;
    private string _method = "", _host = "", _path = "";

    /// <summary>After lost bytes only a line with a version is taken for a start line: one without (HTTP/0.9) cannot
    /// be told from a line of a body.</summary>
    private static bool LooksLikeStartLine(ReadOnlySpan<byte> line) =>
        line.StartsWith("HTTP/1."u8) || (Http1RequestLine.TryRead(line, out var request) && request.HasVersion);

    private void StartLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty) return; // a stray CRLF between messages (RFC 9112 §2.2)
        BeginMessage();
        if (line.StartsWith("HTTP/1."u8))
        {
            _isResponse = true;
            _status = line.Length >= 12 ? Http1Lines.StatusCode(line.Slice(9, 3)) : 0;
            _state = State.Headers;
            // The answer to a request --deny kept out goes too, from its status line on.
            _elide = _pairing.NextIsDenied;
            if (_elide) Held.Elide(_lineStart, _lineStart + _lineLength);
            return;
        }
        if (line.SequenceEqual("PRI * HTTP/2.0"u8))
        {
            // The HTTP/2 preface after an h2c upgrade (RFC 9113 §3.2): its first line is read, 8 bytes remain.
            Successor = _connection.StartHttp2(Held, _direction, prefaceRemaining: 8);
            return;
        }
        if (!Http1RequestLine.TryRead(line, out var request))
        {
            // Not a start line: framing went wrong before it, and it may be any line, a secret field's too.
            _state = State.Lost;
            HeaderLine(line, framing: false);
            return;
        }
        RequestLine(line, request);
    }

    private void BeginMessage()
    {
        _chunked = _upgradeH2c = _lastFieldSecret = _framingUnread = false;
        _lastFieldRead = ReadField.None;
        _contentLength = -1;
    }

    /// <summary>A request begins at the line being read: it waits for its decision (<see cref="Decide"/>).</summary>
    private void BeginRequest(ReadOnlySpan<byte> method)
    {
        _isResponse = false;
        _kind = Http1RequestLine.KindOf(method);
        _messageStart = _lineStart;
        _decided = false;
        if (_exchanges.IsEmpty) return;
        // Only --allow/--deny read them (Decide).
        _method = Encoding.ASCII.GetString(method);
        _host = _path = "";
        _hostKnown = _hostUnread = false;
    }

    private void RequestLine(ReadOnlySpan<byte> line, Http1RequestLine request)
    {
        BeginRequest(line[..request.MethodLength]);
        var target = line[request.TargetStart..request.TargetEnd];
        if (!_exchanges.IsEmpty)
        {
            Http1RequestLine.PolicyParts(target, _kind, out var authority, out var path);
            _path = Encoding.Latin1.GetString(path);
            _host = Encoding.Latin1.GetString(authority);
            _hostKnown = !authority.IsEmpty; // then the Host field is ignored (RFC 9112 §3.2.2)
        }
        if (target.IndexOfAny((byte)'?', (byte)'#', (byte)'@') >= 0) // no query, fragment or userinfo: no secret
        {
            var rewritten = target.ToArray();
            _rewriter.Target(rewritten);
            if (!rewritten.AsSpan().SequenceEqual(target)) Held.Overwrite(_lineStart + request.TargetStart, rewritten);
        }
        if (request.HasVersion)
        {
            _state = State.Headers;
            return;
        }
        // HTTP/0.9: no header section, no body, and an answer that is a bare body until close: nothing after it in
        // this direction can be framed.
        Decide(_lineStart + _lineLength);
        EndMessage();
        _state = State.Lost;
    }

    /// <summary>Keeps or elides the request whose head ends at <paramref name="headEnd"/>, once. Without its host
    /// known (or read), <paramref name="failClosed"/> elides it whatever the patterns say.</summary>
    private void Decide(long headEnd, bool failClosed = false)
    {
        if (_decided) return;
        _decided = true;
        bool denied = !_exchanges.IsEmpty && ((failClosed && (!_hostKnown || _hostUnread)) || !AuthorityReadings.AllKept(_exchanges, _method, _host, _path));
        _pairing.RequestSent(_kind, denied);
        if (!denied) return;
        Held.Elide(_messageStart, headEnd);
        _elide = true;
    }

    private void EndMessage()
    {
        _state = State.StartLine;
        _elide = false;
    }
}
