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
