using Capture.Recorder.Interop;

namespace Capture.Recorder.Redaction;

/// <summary>
/// The seam between the event writer and redaction: every data chunk passes through <see cref="Accept"/> and comes
/// out, secrets replaced, through the store callback — at once, or once the secret it holds part of is complete.
/// Socket bytes and TLS plaintext of one connection are separate streams, each with two directions.
/// </summary>
internal sealed class StreamRedactor(RedactionPolicy policy)
{
    /// <summary>Per connection id, one lookup per chunk: its socket and TLS streams, each with two directions.</summary>
    private readonly Dictionary<ulong, ConnectionStreams> _connections = [];

    private sealed class ConnectionStreams
    {
        public readonly ConnectionContext?[] Contexts = new ConnectionContext?[2];     // [tls]
        public readonly DirectionFlow?[] Flows = new DirectionFlow?[4];                // [tls * 2 + direction]
    }

    public RedactionPolicy Policy => policy;

    /// <summary>Told (connection id, TLS stream or not, stream id) of each HTTP/2 stream --allow/--deny keeps out.</summary>
    public Action<ulong, bool, uint>? StreamDenied { get; set; }

    /// <param name="bytes">The chunk, rewritten in place where it holds a secret. It is the caller's again when Accept
    /// returns: a chunk that must wait for the rest of a secret is copied.</param>
    public void Accept(in DataEvent ev, Memory<byte> bytes, ChunkStore store)
    {
        int tls = ev.TlsLibrary != TlsLibrary.None ? 1 : 0;
        // The kernel writes only these two (capture.h, enum capture_direction).
        int direction = ev.Direction == Direction.Egress ? 0 : 1;
        if (!_connections.TryGetValue(ev.Header.ConnId, out var streams)) _connections[ev.Header.ConnId] = streams = new ConnectionStreams();
        var flow = streams.Flows[tls * 2 + direction] ??= NewFlow(streams.Contexts[tls] ??= NewContext(ev.Header.ConnId, tls == 1), direction, ev.StreamPos == 0);
        flow.Accept(ev, bytes, store);
    }

    private ConnectionContext NewContext(ulong connId, bool tls) =>
        new(policy, StreamDenied is { } denied ? streamId => denied(connId, tls, streamId) : null);

    // A method of its own: a lambda in Accept would make it allocate the captured variables on every chunk.
    private DirectionFlow NewFlow(ConnectionContext connection, int direction, bool atStart) =>
        new((held, first) => Start(held, connection, direction, atStart, first));

    /// <summary>Which protocol a direction speaks, from its first captured bytes (and the other direction's).</summary>
    private DirectionScanner Start(IHeldBytes held, ConnectionContext connection, int direction, bool atStart, ReadOnlySpan<byte> first)
    {
        bool frames = Http2Scanner.LooksLikeFrameHeader(first);
        if (atStart)
        {
            // A direction seen from its first byte says what it speaks itself. A client opens with the preface or an
            // HTTP/1 request (a preface that comes in pieces is read as the line "PRI * HTTP/2.0" by the HTTP/1 scanner,
            // which hands over), a server with SETTINGS (RFC 9113 §3.4) or an HTTP/1 status line. A server may send
            // SETTINGS before reading (nghttpd does), so the other direction having begun HTTP/2 does not make this
            // one HTTP/2 if it starts with text: its client may be speaking HTTP/1. A frame begins with its length's
            // high octet, 0 for any first frame; text with a letter, or with the empty line RFC 9112 §2.2 allows.
            if (first.StartsWith("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8)) return connection.StartHttp2(held, direction, prefaceRemaining: 24);
            bool text = !first.IsEmpty && (char.IsAsciiLetter((char)first[0]) || first[0] is (byte)'\r' or (byte)'\n');
            if (!text && (connection.IsHttp2 || (frames && first[3] == 0x4))) return connection.StartHttp2(held, direction, prefaceRemaining: 0);
            return new Http1Scanner(held, policy, connection, direction, atStart: true);
        }
        // Joined mid-way: any plausible frame will do, and so will the other direction's HTTP/2.
        if (connection.IsHttp2 || frames) return connection.StartHttp2(held, direction, prefaceRemaining: 0, lost: true);
        return new Http1Scanner(held, policy, connection, direction, atStart: false);
    }

    /// <summary>The connection closed: nothing more will complete what its directions hold.</summary>
    public void Close(ulong connId, ChunkStore store)
    {
        if (_connections.Remove(connId, out var streams)) Flush(streams, store);
    }

    /// <summary>The recording ends: store everything still held.</summary>
    public void FlushAll(ChunkStore store)
    {
        foreach (var streams in _connections.Values) Flush(streams, store);
        _connections.Clear();
    }

    /// <summary>Socket bytes first, then TLS plaintext; egress before ingress.</summary>
    private static void Flush(ConnectionStreams streams, ChunkStore store)
    {
        foreach (var flow in streams.Flows) flow?.Flush(store);
    }
}
