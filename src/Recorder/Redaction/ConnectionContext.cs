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

    /// <summary>Starts HTTP/2 in <paramref name="direction"/> (0 egress, 1 ingress), linked to the other direction's
    /// HPACK state for SETTINGS_HEADER_TABLE_SIZE.</summary>
    public Http2Scanner StartHttp2(IHeldBytes held, int direction, long prefaceRemaining, bool lost = false)
    {
        var scanner = new Http2Scanner(held, policy, this, prefaceRemaining, lost);
        _http2[direction] = scanner;
        if (_http2[1 - direction] is { } other)
        {
            scanner.Peer = other;
            other.Peer = scanner;
        }
        return scanner;
    }
}
