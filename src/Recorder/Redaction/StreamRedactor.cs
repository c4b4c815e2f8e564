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
    /// <summary>The connection of the chunk before, whose streams the next chunk most often belongs to too.</summary>
    private ulong _lastConnId;
    private ConnectionStreams? _lastStreams;

    private sealed class ConnectionStreams
    {
        public readonly ConnectionContext?[] Contexts = new ConnectionContext?[2];     // [tls]
        public readonly DirectionFlow?[] Flows = new DirectionFlow?[4];                // [tls * 2 + direction]

        /// <summary>The kernel first saw the connection mid-way (connections.mid_stream). Its stream positions count
        /// from where the recorder joined, so position 0 is not its first byte, and a direction's first bytes do not say
        /// what it speaks as a connection's own start does: HTTP/2 frames are read as HTTP/2 with HPACK state unknown.</summary>
        public bool JoinedMidStream;
    }

    public RedactionPolicy Policy => policy;

    /// <summary>Told before the connection's first chunk: the kernel joined it mid-way.</summary>
    public void JoinedMidStream(ulong connId) => StreamsOf(connId).JoinedMidStream = true;

    /// <summary>Told (connection id, TLS stream or not, stream id) of each HTTP/2 stream --allow/--deny keeps out.</summary>
    public Action<ulong, bool, uint>? StreamDenied { get; set; }

    /// <param name="bytes">The chunk, rewritten in place where it holds a secret. It is the caller's again when Accept
    /// returns: a chunk that must wait for the rest of a secret is copied.</param>
    public void Accept(in DataEvent ev, Memory<byte> bytes, ChunkStore store)
    {
        int tls = ev.TlsLibrary != TlsLibrary.None ? 1 : 0;
        // The kernel writes only these two (capture.h, enum capture_direction).
        int direction = ev.Direction == Direction.Egress ? 0 : 1;
        var streams = StreamsOf(ev.Header.ConnId);
        var flow = streams.Flows[tls * 2 + direction] ??= NewFlow(streams.Contexts[tls] ??= NewContext(ev.Header.ConnId, tls == 1), direction,
            atStart: ev.StreamPos == 0 && !streams.JoinedMidStream);
        flow.Accept(ev, bytes, store);
    }

    private ConnectionStreams StreamsOf(ulong connId)
    {
        // A server reads a request and writes its answer on one connection: half the chunks follow one of the same.
        if (connId == _lastConnId && _lastStreams is { } last) return last;
        if (!_connections.TryGetValue(connId, out var streams)) _connections[connId] = streams = new ConnectionStreams();
        (_lastConnId, _lastStreams) = (connId, streams);
        return streams;
    }

    private ConnectionContext NewContext(ulong connId, bool tls) =>
        new(policy, StreamDenied is { } denied ? streamId => denied(connId, tls, streamId) : null);

    // A method of its own: a lambda in Accept would make it allocate the captured variables on every chunk.
    private static DirectionFlow NewFlow(ConnectionContext connection, int direction, bool atStart) =>
        new((held, first) => connection.StartDirection(held, direction, atStart, first));

    /// <summary>The connection closed: nothing more will complete what its directions hold.</summary>
    public void Close(ulong connId, ChunkStore store)
    {
        if (_connections.Remove(connId, out var streams)) Flush(streams, store);
        if (connId == _lastConnId) _lastStreams = null;
    }

    /// <summary>The recording ends: store everything still held.</summary>
    public void FlushAll(ChunkStore store)
    {
        foreach (var streams in _connections.Values) Flush(streams, store);
        _connections.Clear();
        _lastStreams = null;
    }

    /// <summary>Socket bytes first, then TLS plaintext; egress before ingress.</summary>
    private static void Flush(ConnectionStreams streams, ChunkStore store)
    {
        foreach (var flow in streams.Flows) flow?.Flush(store);
    }
}
