using System.Text;
using Capture.Hpack;

namespace Capture.Recorder.Redaction;

/// <summary>
/// HTTP/1.x for redaction: start lines and header lines are gathered whole (and held back while they may carry a
/// secret); bodies are skipped by their framing (Content-Length, chunked, until close) without looking at them,
/// which is the cheap path most bytes take. After lost bytes or input that is not HTTP it scans line by line,
/// still redacting any line that is a secret header field, until a start line resynchronises it.
/// </summary>
internal sealed class Http1Scanner : DirectionScanner
{
    private enum State { StartLine, Headers, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Opaque, Lost }

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
    /// <summary>A secret outgrew the hold: its remaining bytes are overwritten with filler up to the end of its line.</summary>
    private bool _filling;

    // The message whose header section is being read.
    private bool _isResponse, _chunked, _upgradeH2c;
    private long _contentLength;
    private int _status;

    // --allow/--deny: a request is held from its start line until its Host header is known, then kept or elided
    // whole (with its response) as its bytes go by.
    private readonly ExchangePolicy _exchanges;
    private long _messageStart;
    private bool _decided, _isHead, _elide;
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
                OnLine(data[..ContentEnd(data[..take])]);
                _lineLength = 0;
                return take;
            }
        }
        Append(data[..take]);
        if (newline >= 0)
        {
            var line = _line.AsSpan(0, _lineLength);
            if (!_lineCapped) OnLine(line[..ContentEnd(line)]);
            _lineLength = 0;
            _lineCapped = false;
            _lineHeld = false;
        }
        else
        {
            _lineHeld = MayBeSecret(_line.AsSpan(0, _lineLength));
        }
        return take;
    }

    /// <summary>Where a line that ends in LF (or CRLF) ends without it.</summary>
    private static int ContentEnd(ReadOnlySpan<byte> line)
    {
        int end = line.Length - 1;
        return end > 0 && line[end - 1] == '\r' ? end - 1 : end;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_lineCapped) return;
        if (_lineLength + bytes.Length > NonSecretLineCap && !MayBeSecret(_line.AsSpan(0, _lineLength)))
        {
            _lineCapped = true; // not secret, and too long to matter for framing: its bytes are not kept
            return;
        }
        if (_line.Length < _lineLength + bytes.Length) Array.Resize(ref _line, Math.Max(_lineLength + bytes.Length, _line.Length * 2));
        bytes.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += bytes.Length;
    }

    /// <summary>Whether an unfinished line could still turn out to hold a secret.</summary>
    private bool MayBeSecret(ReadOnlySpan<byte> line)
    {
        switch (_state)
        {
            case State.StartLine:
                return !_exchanges.IsEmpty || !line.StartsWith("HTTP/"u8);
            case State.Headers or State.Trailers or State.Lost:
                int colon = line.IndexOf((byte)':');
                if (colon < 0) return line.Length <= _policy.LongestHeaderName;
                return IsSecretName(line[..colon]);
            default:
                return false;
        }
    }

    private bool IsSecretName(ReadOnlySpan<byte> name) => _policy.IsSecretHeader(name);

    private void OnLine(ReadOnlySpan<byte> line)
    {
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
                _state = line.IsEmpty ? State.ChunkSize : State.Lost;
                break;
        }
    }

    private static bool LooksLikeStartLine(ReadOnlySpan<byte> line) =>
        line.StartsWith("HTTP/1."u8) || (line.IndexOf((byte)' ') is > 0 and var sp && IsMethod(line[..sp]) && line.EndsWith("HTTP/1.1"u8) | line.EndsWith("HTTP/1.0"u8));

    private static bool IsMethod(ReadOnlySpan<byte> token)
    {
        if (token.Length > 20) return false;
        foreach (byte b in token) if (b is < (byte)'A' or > (byte)'Z') return false;
        return true;
    }

    private void StartLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty) return; // a stray CRLF between messages (RFC 9112 §2.2)
        _chunked = _upgradeH2c = false;
        _contentLength = -1;
        if (line.StartsWith("HTTP/1."u8))
        {
            _isResponse = true;
            _status = line.Length >= 12 ? StatusCode(line.Slice(9, 3)) : 0;
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
        int sp1 = line.IndexOf((byte)' ');
        int sp2 = sp1 < 0 ? -1 : line[(sp1 + 1)..].IndexOf((byte)' ');
        if (sp1 <= 0 || sp2 < 0 || !IsMethod(line[..sp1]))
        {
            _state = State.Lost;
            return;
        }
        _isResponse = false;
        _isHead = line[..sp1].SequenceEqual("HEAD"u8);
        _messageStart = _lineStart;
        _decided = false;
        var rawTarget = line.Slice(sp1 + 1, sp2);
        int query = rawTarget.IndexOf((byte)'?');
        if (!_exchanges.IsEmpty)
        {
            // Only --allow/--deny read them (Decide).
            _method = Encoding.ASCII.GetString(line[..sp1]);
            _path = Encoding.Latin1.GetString(query < 0 ? rawTarget : rawTarget[..query]);
            _host = "";
        }
        if (query >= 0) // a target without a query holds no secret parameter
        {
            var target = rawTarget.ToArray();
            _rewriter.Target(target);
            if (!target.AsSpan().SequenceEqual(rawTarget)) Held.Overwrite(_lineStart + sp1 + 1, target);
        }
        _state = State.Headers;
    }

    /// <summary>The 3 octets after "HTTP/1.x " as a number, as int.TryParse reads them (0 when it cannot);
    /// three digits, the usual case, without making a string of them.</summary>
    private static int StatusCode(ReadOnlySpan<byte> digits)
    {
        if (digits[0] is >= (byte)'0' and <= (byte)'9' && digits[1] is >= (byte)'0' and <= (byte)'9' && digits[2] is >= (byte)'0' and <= (byte)'9')
            return (digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0');
        return int.TryParse(Encoding.ASCII.GetString(digits), out int status) ? status : 0;
    }

    private void HeaderLine(ReadOnlySpan<byte> line, bool framing)
    {
        int colon = line.IndexOf((byte)':');
        if (colon <= 0) return;
        var name = line[..colon];
        if (IsSecretName(name))
        {
            var value = line[(colon + 1)..].ToArray();
            _rewriter.Raw(Encoding.Latin1.GetString(name), value);
            Held.Overwrite(_lineStart + colon + 1, value);
            return;
        }
        if (!framing) return;
        // Names compared as octets: no Latin-1 letter but A-Z lowercases into ASCII, so this equals lowering the decoded name.
        var rest = line[(colon + 1)..];
        if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            _contentLength = ContentLength(rest);
        else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            _chunked = Text(rest).EndsWith("chunked", StringComparison.OrdinalIgnoreCase);
        else if (Ascii.EqualsIgnoreCase(name, "upgrade"u8))
            _upgradeH2c |= Text(rest).Contains("h2c", StringComparison.OrdinalIgnoreCase);
        else if (Ascii.EqualsIgnoreCase(name, "http2-settings"u8) && SettingsPayload.FromUpgradeField(Text(rest)) is { } settings)
            _connection.AnnounceSettings(_direction, settings); // they bound the server's first HTTP/2 blocks, if it upgrades
        else if (!_exchanges.IsEmpty && Ascii.EqualsIgnoreCase(name, "host"u8)) // only --allow/--deny read it
            _host = Text(rest);
    }

    private static string Text(ReadOnlySpan<byte> value) => Encoding.Latin1.GetString(value).Trim();

    /// <summary>A Content-Length value, or -1 when it is not a number of octets. Digits between spaces, the usual
    /// case, are read as octets; anything else as the trimmed text long.TryParse reads.</summary>
    private static long ContentLength(ReadOnlySpan<byte> value)
    {
        var digits = value.Trim(" \t"u8);
        if (digits.Length is > 0 and <= 18 && digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0)
        {
            long length = 0;
            foreach (byte d in digits) length = length * 10 + (d - '0');
            return length;
        }
        return long.TryParse(Text(value), out long parsed) && parsed >= 0 ? parsed : -1;
    }

    /// <summary>RFC 9112 §6.3: how long the body is.</summary>
    private void EndOfHeaders()
    {
        if (!_isResponse)
        {
            if (_upgradeH2c) _pairing.H2cRequested = true;
            Decide(_lineStart + _lineLength);
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
        bool noBody = _pairing.ResponseReceived() || _status is 204 or 304;
        _state = noBody ? State.StartLine : _chunked ? State.ChunkSize : _contentLength > 0 ? State.Body : _contentLength == 0 ? State.StartLine : State.UntilClose;
        _remaining = Math.Max(_contentLength, 0);
        if (_state == State.StartLine) EndMessage();
    }

    /// <summary>Keeps or elides the request whose head ends at <paramref name="headEnd"/>, once.</summary>
    private void Decide(long headEnd)
    {
        if (_decided) return;
        _decided = true;
        bool denied = !_exchanges.IsEmpty && !_exchanges.Keeps(_method, _host, _path);
        _pairing.RequestSent(_isHead, denied);
        if (!denied) return;
        Held.Elide(_messageStart, headEnd);
        _elide = true;
    }

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
            _state = State.Lost;
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
        if (!_decided) Decide(_messageStart);
        _elide = false;
        _state = State.Lost;
        _lineLength = 0;
        _lineHeld = _lineCapped = _filling = false;
    }

    public override void GiveUpHolding()
    {
        // A request head too long to wait for its Host header (or cut off by the connection's end): decided on what was seen.
        if (!_decided) Decide(_lineLength > 0 ? _lineStart + _lineLength : _lineStart);
        if (_lineLength == 0 || !_lineHeld) return;
        var line = _line.AsSpan(0, _lineLength);
        int from = _state == State.StartLine ? line.IndexOf((byte)'?') : line.IndexOf((byte)':');
        if (from >= 0)
        {
            while (from + 1 < _lineLength && line[from + 1] is (byte)' ' or (byte)'\t') from++;
            Fill(_lineStart + from + 1, _lineLength - from - 1);
            _filling = true;
            _policy.Overflows++;
        }
        _lineLength = 0;
        _lineHeld = false;
    }

    private void Fill(long pos, int count)
    {
        var filler = new byte[count];
        filler.AsSpan().Fill(RedactionPolicy.FillerByte);
        Held.Overwrite(pos, filler);
    }
}

/// <summary>What the request direction tells the response direction of one HTTP/1 connection: a HEAD request's
/// response has no body whatever its Content-Length; an h2c upgrade turns the connection into HTTP/2.</summary>
internal sealed class Http1Pairing
{
    private readonly Queue<(bool Head, bool Denied)> _requests = new();

    public bool H2cRequested { get; set; }

    public void RequestSent(bool isHead, bool denied)
    {
        if (_requests.Count < 1024) _requests.Enqueue((isHead, denied));
    }

    /// <summary>The next response answers a request that --allow/--deny keeps out.</summary>
    public bool NextIsDenied => _requests.TryPeek(out var next) && next.Denied;

    /// <summary>A final response arrived; true when it answers a HEAD request.</summary>
    public bool ResponseReceived() => _requests.TryDequeue(out var request) && request.Head;
}
