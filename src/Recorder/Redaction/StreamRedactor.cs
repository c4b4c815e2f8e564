using Capture.Recorder.Interop;

namespace Capture.Recorder.Redaction;

/// <summary>
/// The seam between the event writer and redaction: every data chunk passes through <see cref="Accept"/> and comes
/// out, secrets replaced, through the store callback — at once, or once the secret it holds part of is complete.
/// Socket bytes and TLS plaintext of one connection are separate streams, each with two directions.
/// </summary>
internal sealed class StreamRedactor(RedactionPolicy policy)
{
    private readonly Dictionary<(ulong Conn, bool Tls), ConnectionContext> _connections = [];
    private readonly Dictionary<(ulong Conn, bool Tls, Direction Direction), DirectionFlow> _flows = [];

    public RedactionPolicy Policy => policy;

    public void Accept(DataEvent ev, byte[] bytes, Action<DataEvent, byte[]> store)
    {
        bool tls = ev.TlsLibrary != TlsLibrary.None;
        var key = (ev.Header.ConnId, tls, ev.Direction);
        if (!_flows.TryGetValue(key, out var flow))
        {
            if (!_connections.TryGetValue((ev.Header.ConnId, tls), out var connection))
                _connections[(ev.Header.ConnId, tls)] = connection = new ConnectionContext(policy);
            int direction = (int)ev.Direction;
            bool atStart = ev.StreamPos == 0;
            _flows[key] = flow = new DirectionFlow(held => Start(held, connection, direction, atStart, bytes));
        }
        flow.Accept(ev, bytes, store);
    }

    /// <summary>Which protocol a direction speaks, from its first captured bytes (and the other direction's).</summary>
    private DirectionScanner Start(IHeldBytes held, ConnectionContext connection, int direction, bool atStart, byte[] first)
    {
        if (atStart && first.AsSpan().StartsWith("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8))
            return connection.StartHttp2(held, direction, prefaceRemaining: 24);
        bool frames = Http2Scanner.LooksLikeFrameHeader(first);
        // A server's first frame is SETTINGS (RFC 9113 §3.4); joined mid-way, any plausible frame will do.
        if (connection.IsHttp2 || (frames && (!atStart || first[3] == 0x4)))
            return connection.StartHttp2(held, direction, prefaceRemaining: 0, lost: !atStart);
        return new Http1Scanner(held, policy, connection, direction, atStart);
    }

    /// <summary>The connection closed: nothing more will complete what its directions hold.</summary>
    public void Close(ulong connId, Action<DataEvent, byte[]> store)
    {
        foreach (bool tls in new[] { false, true })
        {
            foreach (var direction in new[] { Direction.Egress, Direction.Ingress })
                if (_flows.Remove((connId, tls, direction), out var flow)) flow.Flush(store);
            _connections.Remove((connId, tls));
        }
    }

    /// <summary>The recording ends: store everything still held.</summary>
    public void FlushAll(Action<DataEvent, byte[]> store)
    {
        foreach (var flow in _flows.Values) flow.Flush(store);
        _flows.Clear();
        _connections.Clear();
    }
}
