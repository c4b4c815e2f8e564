using System.Text;
using Capture.Hpack;

namespace Capture.Recorder.Redaction;

/// <summary>Header and trailer field lines: a secret field's value (and its obs-fold continuations) is replaced; the
/// fields that frame the body, upgrade the connection or name the host are read.</summary>
internal sealed partial class Http1Scanner
{
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
            case 4 when !_exchanges.IsEmpty && !_hostKnown && IsHost(name): // only --allow/--deny read it
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

    private bool IsSecretName(ReadOnlySpan<byte> name) => _policy.IsSecretHeader(name);

    /// <summary>Host may carry userinfo (HeaderLine replaces it), so its line is held to its end like a secret field's.</summary>
    private static bool IsHost(ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(name, "host"u8);
}
