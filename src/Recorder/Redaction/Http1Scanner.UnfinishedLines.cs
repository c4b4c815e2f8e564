using System.Text;

namespace Capture.Recorder.Redaction;

/// <summary>Lines not seen whole in one call: gathered and held back while they may be secret, cut short when they
/// cannot be and grow long, and, when they must be let go of unfinished, failing closed (filler to their end).</summary>
internal sealed partial class Http1Scanner
{
    /// <summary>Bytes of a line kept when it cannot be secret (enough for any framing header).</summary>
    private const int NonSecretLineCap = 8192;

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

    /// <summary>A header line kept only in part (past <see cref="NonSecretLineCap"/>; a secret one, or a Host, is never
    /// cut but held whole): when framing reads it, where the body ends is not known.</summary>
    private void FieldCut(ReadOnlySpan<byte> kept)
    {
        _lastFieldSecret = false; // a secret field's line is never cut
        _lastFieldRead = ReadField.None;
        int colon = kept.IndexOf((byte)':');
        if (colon <= 0) return;
        var name = Http1Lines.FieldName(kept[..colon]);
        if (Ascii.EqualsIgnoreCase(name, "content-length"u8) || Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8)) _lastFieldRead = ReadField.Framing;
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
