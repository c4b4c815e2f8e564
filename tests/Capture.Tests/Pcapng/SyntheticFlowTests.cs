using System.Buffers.Binary;
using System.Net;
using Capture.Pcapng;
using Capture.Pcapng.Synthetic;

namespace Capture.Tests.Pcapng;

/// <summary>Recorded bytes as synthetic TCP: sequence numbers, gaps, the HTTP/2 preface, the
/// conversation identity and the checksums.</summary>
public sealed class SyntheticFlowTests
{
    private static readonly IPAddress Lo = IPAddress.Loopback;
    private static RecordedConnection Client(int serverPort = 443) => new(7, Lo, 40000, Lo, serverPort, ConnectionSide.Client);
    private static RecordedConnection Server(int serverPort = 443) => new(8, Lo, serverPort, Lo, 40000, ConnectionSide.Server);
    private static byte[] Bytes(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    [Fact]
    public void A_flow_from_stream_position_0_opens_with_a_handshake_then_seq_advances_by_payload_and_ack_is_the_peers_next_seq()
    {
        var flow = new SyntheticFlow(Client(), tls: true);
        var first = flow.Add(egress: true, 0, Bytes("GET / HTTP/1.1\r\n")).ToList();
        Assert.Equal([TcpSegment.Syn, TcpSegment.Syn | TcpSegment.Ack, TcpSegment.Ack, TcpSegment.Ack | TcpSegment.Psh], first.Select(s => s.Flags));
        uint clientIsn = first[0].Seq, serverIsn = first[1].Seq;
        Assert.Equal(clientIsn + 1, first[1].Ack);
        Assert.Equal((clientIsn + 1, serverIsn + 1), (first[3].Seq, first[3].Ack));
        var second = flow.Add(egress: true, 16, Bytes("Host: x\r\n\r\n")).Single();
        Assert.Equal(clientIsn + 1 + 16, second.Seq);
        var response = flow.Add(egress: false, 0, Bytes("HTTP/1.1 200 OK\r\n\r\n")).Single();
        Assert.Equal(serverIsn + 1, response.Seq);
        Assert.Equal(clientIsn + 1 + 16 + 11, response.Ack);
        Assert.False(response.Outbound);
        Assert.NotEqual(443, response.SourcePort); // the real port belongs to the real (encrypted) packets
    }

    [Fact]
    public void Bytes_not_captured_show_as_a_jump_in_seq_not_as_invented_bytes()
    {
        var flow = new SyntheticFlow(Client(), tls: false);
        var a = flow.Add(true, 0, Bytes("abcd")).Last();
        var b = flow.Add(true, 1000, Bytes("efgh")).Single();
        Assert.Equal(a.Seq + 1000, b.Seq);
        Assert.Equal(4, b.Payload.Length);
    }

    [Fact]
    public void A_flow_whose_first_bytes_are_not_its_connections_first_has_no_handshake()
    {
        var flow = new SyntheticFlow(Client(), tls: false);
        var segment = flow.Add(true, 5000, Bytes("GET / HTTP/1.1\r\n\r\n")).Single();
        Assert.Equal(TcpSegment.Ack | TcpSegment.Psh, segment.Flags);
    }

    [Fact]
    public void A_connection_the_recording_joined_mid_way_has_no_handshake_though_its_positions_count_from_0()
    {
        var flow = new SyntheticFlow(Client() with { JoinedMidStream = true }, tls: false);
        var segment = flow.Add(true, 0, Bytes("GET / HTTP/1.1\r\n\r\n")).Single();
        Assert.Equal(TcpSegment.Ack | TcpSegment.Psh, segment.Flags);
        var response = flow.Add(false, 0, Bytes("HTTP/1.1 204 No Content\r\n\r\n")).Single();
        Assert.Equal(segment.Seq + 18, response.Ack);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(23)]
    public void The_http2_preface_split_across_writes_travels_in_one_segment(int split)
    {
        var preface = SyntheticFlow.Http2Preface.ToArray();
        byte[] settings = [0, 0, 0, 4, 0, 0, 0, 0, 0];
        var flow = new SyntheticFlow(Client(), tls: true);
        var held = flow.Add(true, 0, preface[..split]).ToList();
        Assert.All(held, s => Assert.Equal(0, s.Payload.Length)); // only the handshake
        var rest = flow.Add(true, split, (byte[])[.. preface[split..], .. settings]).Single();
        Assert.Equal([.. preface, .. settings], rest.Payload.ToArray());
        Assert.Equal(held[0].Seq + 1, rest.Seq);
    }

    [Fact]
    public void A_preface_start_that_never_completes_is_written_at_the_end()
    {
        var flow = new SyntheticFlow(Client(), tls: true);
        flow.Add(true, 0, Bytes("PRI * HTTP")).ToList();
        Assert.Equal("PRI * HTTP"u8.ToArray(), flow.Flush().Single().Payload.ToArray());
    }

    [Fact]
    public void Payload_beyond_what_one_ip_packet_holds_is_split_into_segments_below_64_KiB()
    {
        var flow = new SyntheticFlow(Client(), tls: false);
        var segments = flow.Add(true, 10, new byte[200_000]).ToList();
        Assert.Equal(200_000, segments.Sum(s => s.Payload.Length));
        Assert.All(segments, s => Assert.True(s.Payload.Length <= TcpSegment.MaxPayload));
        Assert.All(segments, s => Assert.True(TcpSegment.Build(s.Source, s.SourcePort, s.Destination, s.DestinationPort, s.Seq, s.Ack, s.Flags, s.Payload.Span).Length <= 65535));
        Assert.Equal(segments[0].Seq + (uint)segments[0].Payload.Length, segments[1].Seq);
    }

    [Theory]
    [InlineData(443)]
    [InlineData(80)]
    [InlineData(8080)]
    [InlineData(8088)]
    [InlineData(3128)]
    public void The_client_and_server_views_of_one_connection_get_different_http_ports_never_the_real_one(int realPort)
    {
        int client = SyntheticPorts.ServerPort(Client(realPort)), server = SyntheticPorts.ServerPort(Server(realPort));
        Assert.NotEqual(client, server);
        Assert.NotEqual(realPort, client);
        Assert.NotEqual(realPort, server);
        Assert.Subset(new HashSet<int> { 80, 8080, 8088, 3128 }, new HashSet<int> { client, server });
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.2")]
    [InlineData("::1", "fe80::1")]
    public void Ip_and_tcp_checksums_verify(string source, string destination)
    {
        var packet = TcpSegment.Build(IPAddress.Parse(source), 40000, IPAddress.Parse(destination), 80, 0xFFFFFFF0, 12345,
            TcpSegment.Ack | TcpSegment.Psh, Bytes("odd length payload!"));
        bool v4 = packet[0] >> 4 == 4;
        int ipLength = v4 ? 20 : 40;
        if (v4) Assert.Equal(0xFFFF, OnesComplementSum(packet.AsSpan(0, 20)));
        var pseudo = new List<byte>();
        pseudo.AddRange(v4 ? packet[12..20] : packet[8..40]);
        int tcpLength = packet.Length - ipLength;
        pseudo.AddRange([0, 0, (byte)(tcpLength >> 8), (byte)tcpLength, 0, 0, 0, 6]);
        Assert.Equal(0xFFFF, OnesComplementSum([.. pseudo, .. packet[ipLength..]]));
        Assert.Equal(40000, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(ipLength)));
    }

    /// <summary>RFC 1071, written out independently of the code under test: a correct packet sums to 0xFFFF.</summary>
    private static int OnesComplementSum(ReadOnlySpan<byte> bytes)
    {
        long sum = 0;
        for (int i = 0; i < bytes.Length; i += 2) sum += (bytes[i] << 8) + (i + 1 < bytes.Length ? bytes[i + 1] : 0);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (int)sum;
    }
}
