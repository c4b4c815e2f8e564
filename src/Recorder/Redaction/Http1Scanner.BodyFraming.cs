using System.Text;

namespace Capture.Recorder.Redaction;

/// <summary>Where a message's body ends (RFC 9112 §6.3), read from its header section: skipped by Content-Length or
/// chunks, until close, none; or, when that cannot be known, read line by line. Also what follows a 101 or a CONNECT.</summary>
internal sealed partial class Http1Scanner
{
    // The message whose header section is being read.
    private bool _isResponse, _chunked, _upgradeH2c;
    /// <summary>A Content-Length or Transfer-Encoding line was too long to keep whole: where the body ends is not known.</summary>
    private bool _framingUnread;
    private long _contentLength;
    private int _status;

    /// <summary>RFC 9112 §6.3: how long the body is.</summary>
    private void EndOfHeaders()
    {
        _lastFieldSecret = false; // nothing after the header section continues its last field
        _lastFieldRead = ReadField.None;
        if (!_isResponse)
        {
            if (_upgradeH2c) _pairing.H2cRequested = true;
            Decide(_lineStart + _lineLength, failClosed: _hostUnread);
            if (_kind == RequestKind.Connect)
            {
                // The tunnel's bytes follow (or, refused, the next request, which a fresh start reads as well).
                Tunnel();
                return;
            }
            if (_framingUnread)
            {
                FramingLost();
                return;
            }
            _state = _chunked ? State.ChunkSize : _contentLength > 0 ? State.Body : State.StartLine;
            _remaining = Math.Max(_contentLength, 0);
            if (_state == State.StartLine) EndMessage();
            return;
        }
        if (_status == 101)
        {
            if (_upgradeH2c || _pairing.H2cRequested)
            {
                // A denied upgrade request, and this 101, are elided: stream 1 carries its response in HTTP/2 frames,
                // which the HTTP/2 side elides as a denied stream's (the Analyzer then sees an HTTP/2 connection
                // from the preface on, without stream 1).
                if (_elide) _connection.DenyStream(1);
                Successor = _connection.StartHttp2(Held, _direction, prefaceRemaining: 0);
            }
            else _state = State.Opaque; // a WebSocket or other protocol: not HTTP any more
            return;
        }
        if (_status is >= 100 and < 200)
        {
            EndMessage();
            return;
        }
        var answers = _pairing.ResponseReceived();
        if (answers == RequestKind.Connect && _status is >= 200 and < 300)
        {
            Tunnel(); // its Content-Length and Transfer-Encoding mean nothing (RFC 9110 §9.3.6)
            return;
        }
        bool noBody = answers == RequestKind.Head || _status is 204 or 304;
        if ((_framingUnread || _pairing.Uncertain) && !noBody)
        {
            FramingLost();
            return;
        }
        _state = noBody ? State.StartLine : _chunked ? State.ChunkSize : _contentLength > 0 ? State.Body : _contentLength == 0 ? State.StartLine : State.UntilClose;
        _remaining = Math.Max(_contentLength, 0);
        if (_state == State.StartLine) EndMessage();
    }

    /// <summary>What follows in this direction is a CONNECT tunnel's: read as a new connection's, or, when its
    /// CONNECT was denied, elided up to the connection's end.</summary>
    private void Tunnel()
    {
        if (_elide) _state = State.Opaque;
        else Successor = new TunnelStart(Held, _connection, _direction);
    }

    /// <summary>Where the message's body ends cannot be found. A kept one's is scanned line by line (a secret field's
    /// line is still redacted) until a start line resynchronises; a denied one's is elided to the connection's end:
    /// its bytes may hold what looks like a start line, and they are stored before the real one could be told.</summary>
    private void FramingLost() => _state = _elide ? State.Opaque : State.Lost;

    private void ChunkSize(ReadOnlySpan<byte> line)
    {
        int end = line.IndexOf((byte)';');
        var digits = Encoding.ASCII.GetString(end < 0 ? line : line[..end]).Trim();
        if (!long.TryParse(digits, System.Globalization.NumberStyles.HexNumber, null, out long size) || size < 0)
        {
            FramingLost();
            return;
        }
        _state = size == 0 ? State.Trailers : State.ChunkData;
        _remaining = size;
    }
}
