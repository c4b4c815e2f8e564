namespace Capture.Pcapng.Synthetic;

/// <summary>Turns recorded payload into synthetic TCP packets in a pcapng file: one flow per
/// connection as one process saw it, on two interfaces named for what they carry (TLS plaintext,
/// plaintext socket bytes). Each packet names its process in a comment
/// (<c>pid=… tid=… comm=… fd=… conn=…</c> and the real endpoints) and through a process block.
/// Used by `record --pcapng` (live) and `analyze --export-pcapng` alike.</summary>
public sealed class PlaintextPacketWriter
{
    public const string TlsInterfaceName = "capture-tls-plaintext";
    public const string SocketInterfaceName = "capture-socket-plaintext";

    private readonly IPacketSink _writer;
    private readonly int _tlsInterface, _socketInterface;
    private readonly Dictionary<(long Connection, bool Tls), (SyntheticFlow Flow, PlaintextChunk Last)> _flows = [];
    private readonly SyntheticPortAllocator _ports = new();
    private readonly Dictionary<uint, int> _processBlocks = [];
    private readonly HashSet<long> _tlsConnections = [];
    /// <summary>Connections whose socket stream began with CONNECT, and the directions of those in which the
    /// tunnel's TLS records began.</summary>
    private readonly HashSet<long> _tunnelRequests = [];
    private readonly HashSet<(long Connection, bool Egress)> _tunnelled = [];

    /// <param name="snapLength">The snap length the interfaces declare: 0 (none) unless the file
    /// also holds real packets, whose interfaces must declare the same for libpcap to read the file.</param>
    public PlaintextPacketWriter(IPacketSink writer, uint snapLength = 0)
    {
        _writer = writer;
        const string how = "synthetic TCP made by Capture from recorded bytes; ports 80/8088 (client's view) or 8080/3128 (server's view) " +
                           "so that Wireshark dissects HTTP and HTTP/2, and another client port where two connections would share a 5-tuple; the real endpoints and the process are in each packet's comment";
        _tlsInterface = writer.AddInterface(PcapngFormat.LinkTypeLinuxSll2, snapLength, TlsInterfaceName, "HTTPS decrypted: TLS library plaintext, " + how);
        _socketInterface = writer.AddInterface(PcapngFormat.LinkTypeLinuxSll2, snapLength, SocketInterfaceName, "Plaintext socket payload, " + how);
    }

    /// <summary>Packets handed to the sink.</summary>
    public long Packets { get; private set; }

    /// <summary>Writes one chunk's packets. Socket bytes of a TLS connection are ciphertext
    /// (recorded with --all-tcp) and are left out: the real packets carry them, its plaintext is
    /// on the TLS interface. A connection is TLS once it had plaintext from a TLS library, or
    /// when its socket stream begins with a TLS record (the handshake comes before any plaintext).
    /// A socket stream that begins with CONNECT asks a proxy for a tunnel: it is kept, on ports of
    /// its own, up to the first TLS record in each direction (the handshake inside the tunnel).</summary>
    public void Write(RecordedConnection connection, PlaintextChunk chunk)
    {
        if (!chunk.Tls && chunk.StreamPos == 0 && chunk.Data.Span.StartsWith("CONNECT "u8)) _tunnelRequests.Add(chunk.ConnectionId);
        bool tunnelRequest = !chunk.Tls && _tunnelRequests.Contains(chunk.ConnectionId);
        if (tunnelRequest)
        {
            if (StartsWithTlsRecord(chunk.Data.Span)) _tunnelled.Add((chunk.ConnectionId, chunk.Egress));
            if (_tunnelled.Contains((chunk.ConnectionId, chunk.Egress))) return;
        }
        else
        {
            if (chunk.Tls) _tlsConnections.Add(chunk.ConnectionId);
            else if (chunk.StreamPos == 0 && StartsWithTlsRecord(chunk.Data.Span)) _tlsConnections.Add(chunk.ConnectionId);
            if (!chunk.Tls && _tlsConnections.Contains(chunk.ConnectionId)) return;
        }
        var key = (chunk.ConnectionId, chunk.Tls);
        var flow = _flows.TryGetValue(key, out var known) ? known.Flow
            : new SyntheticFlow(connection, chunk.Tls, tunnelRequest, _ports.Allocate(connection, tunnelRequest));
        _flows[key] = (flow, chunk);
        Emit(flow.Add(chunk.Egress, chunk.StreamPos, chunk.Data), chunk, connection);
    }

    /// <summary>Marks a connection as TLS before its chunks arrive (an export knows it from the db).</summary>
    public void MarkTls(long connectionId) => _tlsConnections.Add(connectionId);

    /// <summary>Writes what flows still hold back; call once at the end.</summary>
    public void Finish()
    {
        foreach (var (flow, last) in _flows.Values) Emit(flow.Flush(), last, flow.Connection);
        _flows.Clear();
    }

    private void Emit(IEnumerable<Segment> segments, PlaintextChunk chunk, RecordedConnection connection)
    {
        string? comment = null;
        int process = ProcessBlock(chunk);
        foreach (var s in segments)
        {
            comment ??= Comment(chunk, connection);
            var ip = TcpSegment.Build(s.Source, s.SourcePort, s.Destination, s.DestinationPort, s.Seq, s.Ack, s.Flags, s.Payload.Span);
            var packet = Sll2Header.Wrap(ip, 0, s.Outbound);
            _writer.WritePacket(chunk.Tls ? _tlsInterface : _socketInterface, chunk.TimestampNs, packet, packet.Length,
                s.Outbound ? PacketDirection.Outbound : PacketDirection.Inbound, comment, process);
            Packets++;
        }
    }

    /// <summary>A TLS record header (RFC 8446 5.1): content type 20-23 (change_cipher_spec, alert,
    /// handshake, application_data), then legacy version 3.x.</summary>
    public static bool StartsWithTlsRecord(ReadOnlySpan<byte> data) =>
        data.Length >= 3 && data[0] is >= 20 and <= 23 && data[1] == 3 && data[2] <= 4;

    private int ProcessBlock(PlaintextChunk chunk)
    {
        if (!_processBlocks.TryGetValue(chunk.Pid, out int index))
            _processBlocks[chunk.Pid] = index = _writer.AddProcess(chunk.Pid, chunk.Comm);
        return index;
    }

    public static string Comment(PlaintextChunk chunk, RecordedConnection connection) =>
        $"pid={chunk.Pid} tid={chunk.Tid} comm={chunk.Comm} fd={chunk.Fd} conn={chunk.ConnectionId} tls={(chunk.Tls ? 1 : 0)} " +
        $"{(chunk.Egress ? "out" : "in")} local={RecordedConnection.Endpoint(connection.Local, connection.LocalPort)} " +
        $"remote={RecordedConnection.Endpoint(connection.Remote, connection.RemotePort)} side={(connection.LocalIsClient ? "client" : "server")}" +
        (chunk.Note is null ? "" : " " + chunk.Note);
}
