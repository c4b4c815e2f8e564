using System.Text;
using Capture.Hpack;

namespace Capture.Recorder.Redaction;

/// <summary>
/// HTTP/1.x for redaction: start lines and header lines are gathered whole (and held back while they may carry a
/// secret); bodies are skipped by their framing (Content-Length, chunked, until close) without looking at them,
/// which is the cheap path most bytes take. After lost bytes or input that is not HTTP it scans line by line,
/// still redacting any line that is a secret header field, until a start line resynchronises it. A line it must let
/// go of unfinished fails closed (filler to its end); after CONNECT each direction starts over as a new connection.
/// </summary>
internal sealed class Http1Scanner : DirectionScanner
{
    private enum State { StartLine, Headers, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Opaque, Lost }

    /// <summary>Fields whose values decide more than themselves: where the body ends, and which host --allow/--deny match.</summary>
    private enum ReadField { None, Framing, Host }

    /// <summary>Bytes of a line kept when it cannot be secret (enough for any framing header).</summary>
    private const int NonSecretLineCap = 8192;

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

    // The message whose header section is being read.
    private bool _isResponse, _chunked, _upgradeH2c;
    /// <summary>A Content-Length or Transfer-Encoding line was too long to keep whole: where the body ends is not known.</summary>
    private bool _framingUnread;
    private long _contentLength;
    private int _status;

    // --allow/--deny: a request is held from its start line until its Host header is known, then kept or elided
    // whole (with its response) as its bytes go by.
    private readonly ExchangePolicy _exchanges;
    private long _messageStart;
    private bool _decided, _elide, _hostKnown;
    /// <summary>The first Host line was too long to keep whole: the request is decided as one whose host is not known.</summary>
    private bool _hostUnread;
    private RequestKind _kind;
    private string _method = "", _host = "", _path = "";

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

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_lineCapped) return;
        if (_lineLength + bytes.Length > NonSecretLineCap && !MayBeSecret(_line.AsSpan(0, _lineLength)))
        {
            // Not secret, and too long to matter for framing past its first bytes: the rest of it is not kept.
            bytes = bytes[..Math.Max(NonSecretLineCap - _lineLength, 0)];
            _lineCapped = true;
        }
        if (_line.Length < _lineLength + bytes.Length) Array.Resize(ref _line, Math.Max(_lineLength + bytes.Length, _line.Length * 2));
        bytes.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += bytes.Length;
        if (_lineCapped && _state is State.StartLine or State.Lost && _line.AsSpan(0, _lineLength).StartsWith("HTTP/1."u8)) StatusLineCut();
    }

    /// <summary>A status line too long to keep (or, while --allow/--deny wait for it, to hold) whole still answers its
    /// request: its version and code are all that matter, and it is read from its first bytes. Skipped, it would pair
    /// each later response with the request before its own. The rest of it is passed over, not read as a line.</summary>
    private void StatusLineCut()
    {
        StartLine(_line.AsSpan(0, _lineLength));
        _lineCapped = true;
        _lineHeld = false;
    }

    /// <summary>A header line kept only in part (past <see cref="NonSecretLineCap"/>; a secret one is never cut): when
    /// framing or --allow/--deny read it, what they decide from it fails closed.</summary>
    private void FieldCut(ReadOnlySpan<byte> kept)
    {
        _lastFieldSecret = false; // a secret field's line is never cut
        _lastFieldRead = ReadField.None;
        int colon = kept.IndexOf((byte)':');
        if (colon <= 0) return;
        var name = Http1Lines.FieldName(kept[..colon]);
        if (Ascii.EqualsIgnoreCase(name, "content-length"u8) || Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8)) _lastFieldRead = ReadField.Framing;
        else if (!_exchanges.IsEmpty && !_hostKnown && Ascii.EqualsIgnoreCase(name, "host"u8))
        {
            _hostKnown = true; // a later Host must not stand in for it
            _lastFieldRead = ReadField.Host;
        }
        FieldUnread(_lastFieldRead);
    }

    /// <summary>A framing or Host field whose value could not be read whole: what it decides fails closed.</summary>
    private void FieldUnread(ReadField field)
    {
        if (field == ReadField.Framing) _framingUnread = true;
        else if (field == ReadField.Host) _hostUnread = true;
    }

    /// <summary>A request line too long to hold whole still starts its request, so that its response is paired with it
    /// and --allow/--deny judge it (failing closed: its host is not known). Returns false when the line does not begin
    /// with a method, and is let go of as any line.</summary>
    private bool RequestLineCut()
    {
        int methodLength = Http1RequestLine.MethodLengthOf(_line.AsSpan(0, _lineLength));
        if (methodLength == 0) return false;
        BeginMessage();
        BeginRequest(_line.AsSpan(0, methodLength));
        return true;
    }

    /// <summary>Whether an unfinished line could still turn out to hold a secret.</summary>
    private bool MayBeSecret(ReadOnlySpan<byte> line)
    {
        if (_lineStartUnseen) return true;
        switch (_state)
        {
            case State.StartLine:
                return !_exchanges.IsEmpty || !line.StartsWith("HTTP/"u8);
            case State.Headers or State.Trailers:
                return MayBeSecretField(line);
            case State.Lost:
                // After lost bytes a request line resynchronises the direction: it may carry a secret query too.
                return MayBeSecretField(line) || Http1RequestLine.MayBecomeOne(line);
            default:
                return false;
        }
    }

    private bool MayBeSecretField(ReadOnlySpan<byte> line)
    {
        if (Http1Lines.IsContinuation(line)) return _lastFieldSecret;
        int colon = line.IndexOf((byte)':');
        if (colon < 0) return line.TrimEnd(" \t"u8).Length <= _policy.LongestHeaderName;
        var name = Http1Lines.FieldName(line[..colon]);
        return IsSecretName(name) || IsHost(name);
    }

    /// <summary>Host may carry userinfo (HeaderLine replaces it), so its line is held to its end like a secret field's.</summary>
    private static bool IsHost(ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(name, "host"u8);

    /// <summary>
    /// Where the secret of a held line that will not be seen whole may begin: the value of a secret field or of its
    /// continuation, a request line's query; its length when it may still begin in the rest of the line (a name not
    /// finished, a target without '?' yet); -1 when the line cannot hold one.
    /// </summary>
    private int SecretFrom(ReadOnlySpan<byte> line)
    {
        if (_state == State.StartLine && line.StartsWith("HTTP/"u8)) return -1; // a status line
        if (Http1Lines.IsContinuation(line)) return _lastFieldSecret ? Http1Lines.AfterWhitespace(line, 0) : -1;
        int colon = line.IndexOf((byte)':');
        if (colon > 0 && Http1Lines.FieldName(line[..colon]) is var name && (IsSecretName(name) || IsHost(name)))
            return Http1Lines.AfterWhitespace(line, colon + 1);
        if (_state == State.StartLine || (_state == State.Lost && Http1RequestLine.MayBecomeOne(line)))
            return line.IndexOfAny((byte)'?', (byte)'#') is >= 0 and var query ? query + 1 : line.Length;
        return colon < 0 && MayBeSecretField(line) ? line.Length : -1;
    }

    private bool IsSecretName(ReadOnlySpan<byte> name) => _policy.IsSecretHeader(name);

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

    private void HeaderLine(ReadOnlySpan<byte> line, bool framing)
    {
        if (Http1Lines.IsContinuation(line))
        {
            // A piece of a secret value, replaced whole: where a scheme or a cookie name would stand in it cannot be told.
            if (_lastFieldSecret) Redact(name: null, line, 0);
            else if (framing) FieldUnread(_lastFieldRead);
            return;
        }
        int colon = line.IndexOf((byte)':');
        var name = colon > 0 ? Http1Lines.FieldName(line[..colon]) : [];
        _lastFieldSecret = IsSecretName(name);
        _lastFieldRead = ReadField.None;
        if (_lastFieldSecret)
        {
            Redact(Encoding.Latin1.GetString(name), line, colon + 1);
            return;
        }
        if (colon <= 0) return;
        if (!framing) return;
        // Names compared as octets: no Latin-1 letter but A-Z lowercases into ASCII, so this equals lowering the decoded name.
        // By length first: every header line of every message passes here, and most are none of these.
        var rest = line[(colon + 1)..];
        switch (name.Length)
        {
            case 14 when Ascii.EqualsIgnoreCase(name, "content-length"u8):
                // Not one number ("5, 5" some recipients take as 5; two fields that differ): where the body ends is not
                // known, and read as absent it would have a response read until close, unscanned.
                long length = Http1Lines.ContentLength(rest);
                if (length < 0 || (_contentLength >= 0 && length != _contentLength)) _framingUnread = true;
                _contentLength = length;
                _lastFieldRead = ReadField.Framing;
                break;
            case 17 when Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8):
                _chunked = Http1Lines.Text(rest).EndsWith("chunked", StringComparison.OrdinalIgnoreCase);
                _lastFieldRead = ReadField.Framing;
                break;
            case 7 when Ascii.EqualsIgnoreCase(name, "upgrade"u8):
                _upgradeH2c |= Http1Lines.Text(rest).Contains("h2c", StringComparison.OrdinalIgnoreCase);
                break;
            case 14 when Ascii.EqualsIgnoreCase(name, "http2-settings"u8):
                if (SettingsPayload.FromUpgradeField(Http1Lines.Text(rest)) is { } settings)
                    _connection.AnnounceSettings(_direction, settings); // they bound the server's first HTTP/2 blocks, if it upgrades
                break;
            case 4 when !_exchanges.IsEmpty && !_hostKnown && Ascii.EqualsIgnoreCase(name, "host"u8): // only --allow/--deny read it
                // The first, as the analyzer reads it: a second Host must not steer the decision away from it.
                _host = Http1Lines.Text(rest);
                _hostKnown = true;
                _lastFieldRead = ReadField.Host;
                break;
        }
        // Userinfo a broken client put in Host is a credential (AuthorityReadings); replaced after --allow/--deny read it.
        if (IsHost(name) && rest.Contains((byte)'@')) Redact("host", line, colon + 1);
    }

    /// <summary>Replaces the secret parts of the value that begins at <paramref name="from"/> in <paramref name="line"/>.</summary>
    private void Redact(string? name, ReadOnlySpan<byte> line, int from)
    {
        var value = line[from..].ToArray();
        _rewriter.Raw(name, value);
        Held.Overwrite(_lineStart + from, value);
    }

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

    /// <summary>Where the message's body ends cannot be found. A kept one's is scanned line by line (a secret field's
    /// line is still redacted) until a start line resynchronises; a denied one's is elided to the connection's end:
    /// its bytes may hold what looks like a start line, and they are stored before the real one could be told.</summary>
    private void FramingLost() => _state = _elide ? State.Opaque : State.Lost;

    private void EndMessage()
    {
        _state = State.StartLine;
        _elide = false;
    }

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

    /// <summary>A held line will not be seen whole: its secret, as far as it is held, is overwritten with filler, and
    /// so is the rest of the line when it comes (not read as a line of its own: "Authoriz" then "ation: Bearer x").</summary>
    private void LetGoOfHeldLine()
    {
        if (_lineLength == 0 || !_lineHeld) return;
        int from = _lineStartUnseen ? 0 : SecretFrom(_line.AsSpan(0, _lineLength));
        _lineStartUnseen = false;
        if (from >= 0)
        {
            if (from < _lineLength) Fill(_lineStart + from, _lineLength - from);
            _filling = _lastFieldSecret = true;
            _policy.Overflows++;
        }
        _lineLength = 0;
        _lineHeld = _lineCapped = false;
    }

    private void Fill(long pos, int count)
    {
        var filler = new byte[count];
        filler.AsSpan().Fill(RedactionPolicy.FillerByte);
        Held.Overwrite(pos, filler);
    }
}
