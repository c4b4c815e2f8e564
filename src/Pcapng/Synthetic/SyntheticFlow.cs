using System.Net;

namespace Capture.Pcapng.Synthetic;

/// <summary>One synthetic TCP segment, ready to be built into a packet.</summary>
public readonly record struct Segment(IPAddress Source, ushort SourcePort, IPAddress Destination, ushort DestinationPort,
    uint Seq, uint Ack, byte Flags, ReadOnlyMemory<byte> Payload, bool Outbound);

/// <summary>The TCP flow that carries one connection's recorded bytes as one process saw them.
/// Per direction, seq is the initial sequence number + 1 + the stream position, so bytes not
/// captured show as a jump in seq (Wireshark says "previous segment not captured"), never as
/// bytes that were not there; ack is the peer's next seq. A flow that starts at the connection's
/// first byte opens with a three-way handshake so that Wireshark starts a new conversation even
/// when a port pair is reused later in the file. One that does not (a connection open before the
/// recording began, or one whose first bytes are not exported) starts with its first data segment,
/// as a capture that joined it would: a handshake there would claim one was seen.</summary>
public sealed class SyntheticFlow
{
    /// <summary>"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 3.4): Wireshark recognises HTTP/2 only if it arrives in one segment.</summary>
    public static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private readonly IPAddress _local, _remote;
    private readonly ushort _localPort, _remotePort;
    private readonly Direction _out, _in;
    private bool _started;

    public RecordedConnection Connection { get; }

    /// <param name="tunnelRequest">The socket bytes of a connection that asked a proxy for a tunnel: a flow on ports of
    /// its own (<see cref="SyntheticPorts"/>), beside that of the TLS plaintext inside the tunnel.</param>
    /// <param name="ports">The flow's ports, unique in its file (<see cref="SyntheticPortAllocator"/>); by default the real
    /// client port and the first of <see cref="SyntheticPorts.Candidates"/>.</param>
    public SyntheticFlow(RecordedConnection connection, bool tls, bool tunnelRequest = false, (int ClientPort, int ServerPort)? ports = null)
    {
        Connection = connection;
        (_local, _remote) = SameFamily(connection.Local, connection.Remote);
        var (client, server) = ports ??
            (connection.LocalIsClient ? connection.LocalPort : connection.RemotePort, SyntheticPorts.ServerPort(connection, tunnelRequest));
        _localPort = (ushort)(connection.LocalIsClient ? client : server);
        _remotePort = (ushort)(connection.LocalIsClient ? server : client);
        // Distinct initial sequence numbers per connection and direction, so reused port pairs differ.
        uint seed = (uint)(connection.Id * 2654435761L) ^ (tls ? 0x5A5A5A5Au : 0u);
        _out = new Direction(seed ^ 0x10000000);
        _in = new Direction(seed ^ 0x20000000);
    }

    /// <summary>The segments that carry one chunk, handshake first if this is the flow's first
    /// chunk and the connection's first byte. A chunk that is the start of the HTTP/2 preface but not all
    /// of it is held until the rest arrives.</summary>
    public IEnumerable<Segment> Add(bool egress, long streamPos, ReadOnlyMemory<byte> data)
    {
        var (mine, peer) = egress ? (_out, _in) : (_in, _out);
        var segments = new List<Segment>(4);
        if (!_started)
        {
            _started = true;
            if (streamPos == 0 && !Connection.JoinedMidStream) Handshake(segments);
        }
        if (mine.Held is { } held)
        {
            mine.Held = null;
            if (held.Pos + held.Data.Length == streamPos)
            {
                streamPos = held.Pos;
                data = Concat(held.Data, data.Span);
            }
            else
            {
                Carry(segments, egress, mine, peer, held.Pos, held.Data);
            }
        }
        if (streamPos == 0 && data.Length < Http2Preface.Length && Http2Preface.StartsWith(data.Span) && !data.IsEmpty)
        {
            mine.Held = (streamPos, data.ToArray());
            return segments;
        }
        Carry(segments, egress, mine, peer, streamPos, data);
        return segments;
    }

    /// <summary>What is still held back when the recording ends (a preface that never completed).</summary>
    public IEnumerable<Segment> Flush()
    {
        var segments = new List<Segment>();
        foreach (var (direction, egress) in new[] { (_out, true), (_in, false) })
        {
            if (direction.Held is not { } held) continue;
            direction.Held = null;
            Carry(segments, egress, direction, egress ? _in : _out, held.Pos, held.Data);
        }
        return segments;
    }

    private void Carry(List<Segment> segments, bool egress, Direction mine, Direction peer, long streamPos, ReadOnlyMemory<byte> data)
    {
        for (int offset = 0; offset < data.Length; offset += TcpSegment.MaxPayload)
        {
            var part = data.Slice(offset, Math.Min(TcpSegment.MaxPayload, data.Length - offset));
            long pos = streamPos + offset;
            segments.Add(Make(egress, mine.Seq(pos), peer.Seq(peer.Next), TcpSegment.Ack | TcpSegment.Psh, part));
            mine.Next = Math.Max(mine.Next, pos + part.Length);
        }
    }

    private void Handshake(List<Segment> segments)
    {
        bool clientIsLocal = Connection.LocalIsClient;
        var (client, server) = clientIsLocal ? (_out, _in) : (_in, _out);
        segments.Add(Make(clientIsLocal, client.Isn, 0, TcpSegment.Syn, default));
        segments.Add(Make(!clientIsLocal, server.Isn, client.Isn + 1, TcpSegment.Syn | TcpSegment.Ack, default));
        segments.Add(Make(clientIsLocal, client.Isn + 1, server.Isn + 1, TcpSegment.Ack, default));
    }

    private Segment Make(bool egress, uint seq, uint ack, byte flags, ReadOnlyMemory<byte> payload) => egress
        ? new Segment(_local, _localPort, _remote, _remotePort, seq, ack, flags, payload, Outbound: true)
        : new Segment(_remote, _remotePort, _local, _localPort, seq, ack, flags, payload, Outbound: false);

    private static byte[] Concat(byte[] first, ReadOnlySpan<byte> second)
    {
        var joined = new byte[first.Length + second.Length];
        first.CopyTo(joined, 0);
        second.CopyTo(joined.AsSpan(first.Length));
        return joined;
    }

    /// <summary>A dual-stack socket's IPv4 peer is an IPv4-mapped IPv6 address; a packet needs both ends in one family.</summary>
    internal static (IPAddress, IPAddress) SameFamily(IPAddress a, IPAddress b)
    {
        if (a.IsIPv4MappedToIPv6) a = a.MapToIPv4();
        if (b.IsIPv4MappedToIPv6) b = b.MapToIPv4();
        if (a.AddressFamily == b.AddressFamily) return (a, b);
        return (a.MapToIPv6(), b.MapToIPv6());
    }

    /// <summary>One direction's sequence space: seq of stream position p is Isn + 1 + p (mod 2^32).</summary>
    private sealed class Direction(uint isn)
    {
        public uint Isn { get; } = isn;
        public long Next;
        public (long Pos, byte[] Data)? Held;
        public uint Seq(long streamPos) => unchecked(Isn + 1 + (uint)streamPos);
    }
}
