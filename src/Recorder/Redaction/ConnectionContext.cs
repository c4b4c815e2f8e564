using Capture.Hpack;

namespace Capture.Recorder.Redaction;

/// <summary>What the two directions of one connection (its socket bytes, or its TLS plaintext) share.</summary>
internal sealed class ConnectionContext(RedactionPolicy policy, Action<uint>? streamDenied = null)
{
    public Http1Pairing Http1 { get; } = new();

    /// <summary>HTTP/2 streams whose request --allow/--deny keeps out: both directions elide their DATA frames.</summary>
    private readonly HashSet<uint> _deniedStreams = [];

    public void DenyStream(uint streamId)
    {
        if (_deniedStreams.Add(streamId)) streamDenied?.Invoke(streamId);
    }

    public bool IsDenied(uint streamId) => _deniedStreams.Count > 0 && _deniedStreams.Contains(streamId);

    private readonly Http2Scanner?[] _http2 = new Http2Scanner?[2];

    public bool IsHttp2 => _http2[0] is not null || _http2[1] is not null;

    /// <summary>SETTINGS_HEADER_TABLE_SIZE that one direction announced before the other began HTTP/2, for the other.</summary>
    private readonly int?[] _tableSizeAwaitingStart = new int?[2];

    private static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>The scanner for a direction that begins here (a connection's, or a CONNECT tunnel's), chosen from its
    /// first captured bytes and the other direction's protocol.</summary>
    public DirectionScanner StartDirection(IHeldBytes held, int direction, bool atStart, ReadOnlySpan<byte> first)
    {
        bool frames = Http2Scanner.LooksLikeFrameHeader(first);
        // The preface is a client's first bytes, wherever the capture joined: nothing else begins with it.
        if (first.StartsWith(Http2Preface)) return StartHttp2(held, direction, prefaceRemaining: 24);
        if (atStart)
        {
            // A direction seen from its first byte says what it speaks itself. A client opens with the preface or an
            // HTTP/1 request (a preface that comes in pieces is read as the line "PRI * HTTP/2.0" by the HTTP/1 scanner,
            // which hands over), a server with SETTINGS (RFC 9113 §3.4) or an HTTP/1 status line. A server may send
            // SETTINGS before reading (nghttpd does), so the other direction having begun HTTP/2 does not make this
            // one HTTP/2 if it starts with text: its client may be speaking HTTP/1. A frame begins with its length's
            // high octet, 0 for any first frame; text with a letter, or with the empty line RFC 9112 §2.2 allows.
            bool text = !first.IsEmpty && (char.IsAsciiLetter((char)first[0]) || first[0] is (byte)'\r' or (byte)'\n');
            if (!text && (IsHttp2 || (frames && first[3] == 0x4))) return StartHttp2(held, direction, prefaceRemaining: 0);
            return new Http1Scanner(held, policy, this, direction, atStart: true);
        }
        // Joined mid-way: any plausible frame will do, and so will the other direction's HTTP/2.
        if (IsHttp2 || frames) return StartHttp2(held, direction, prefaceRemaining: 0, lost: true);
        return new Http1Scanner(held, policy, this, direction, atStart: false);
    }

    /// <summary>Starts HTTP/2 in <paramref name="direction"/> (0 egress, 1 ingress), its table bounded by what the other
    /// direction announced (<see cref="AnnounceHeaderTableSize"/>).</summary>
    public Http2Scanner StartHttp2(IHeldBytes held, int direction, long prefaceRemaining, bool lost = false)
    {
        var scanner = new Http2Scanner(held, policy, this, direction, prefaceRemaining, lost);
        _http2[direction] = scanner;
        if (_tableSizeAwaitingStart[direction] is int size) scanner.Decoder.MaxTableSize = size;
        return scanner;
    }

    /// <summary>
    /// A SETTINGS payload sent in <paramref name="fromDirection"/>: its HEADER_TABLE_SIZE bounds the table of the blocks
    /// the other direction sends (up to <see cref="Http2Scanner.MaxTableSize"/>). After an h2c upgrade the server's
    /// SETTINGS, and the client's HTTP2-Settings field, come before the other direction has begun HTTP/2: kept until it
    /// does, or its first blocks could not be decoded (and, a block that might hide a secret being blanked, would be lost).
    /// </summary>
    public void AnnounceSettings(int fromDirection, ReadOnlySpan<byte> payload)
    {
        foreach (var (id, value) in SettingsPayload.Entries(payload))
        {
            if (id != SettingsPayload.HeaderTableSize) continue;
            int size = (int)Math.Min(value, Http2Scanner.MaxTableSize);
            if (_http2[1 - fromDirection] is { } other) other.Decoder.MaxTableSize = size;
            else _tableSizeAwaitingStart[1 - fromDirection] = size;
        }
    }
}
