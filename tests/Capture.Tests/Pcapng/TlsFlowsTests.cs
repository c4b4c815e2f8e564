using System.Net;
using System.Text;
using Capture.Pcapng;
using Capture.Recorder.Pcapng;

namespace Capture.Tests.Pcapng;

/// <summary>While redacting, a real packet keeps its payload only if its connection is TLS: one whose first payload after
/// the handshake was a ClientHello or ServerHello. Every other packet keeps its IP and TCP headers alone.</summary>
public sealed class TlsFlowsTests
{
    private static readonly IPAddress Client = IPAddress.Loopback, Server = IPAddress.Loopback;
    private const ushort ClientPort = 40000, ServerPort = 8080;
    private const int Headers = TcpSegment.Ipv4HeaderLength + TcpSegment.TcpHeaderLength;

    private static byte[] FromClient(byte flags, ReadOnlySpan<byte> payload) => TcpSegment.Build(Client, ClientPort, Server, ServerPort, 1, 1, flags, payload);
    private static byte[] FromServer(byte flags, ReadOnlySpan<byte> payload) => TcpSegment.Build(Server, ServerPort, Client, ClientPort, 1, 1, flags, payload);

    /// <summary>A TLS 1.2/1.3 record header of a handshake record, then the handshake message type.</summary>
    private static byte[] Hello(byte type) => [22, 3, 1, 0, 40, type, 0, 0, 36, .. new byte[36]];

    private static int KeptPayload(TlsFlows flows, byte[] packet) => flows.Redact(packet).Length - Headers;

    private static void Handshake(TlsFlows flows)
    {
        flows.Redact(FromClient(TcpSegment.Syn, []));
        flows.Redact(FromServer(TcpSegment.Syn | TcpSegment.Ack, []));
        flows.Redact(FromClient(TcpSegment.Ack, []));
    }

    [Fact]
    public void A_plaintext_connection_keeps_no_payload_even_in_a_segment_that_begins_like_a_TLS_record()
    {
        var flows = new TlsFlows();
        Handshake(flows);
        Assert.Equal(0, KeptPayload(flows, FromClient(TcpSegment.Psh | TcpSegment.Ack, Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n"))));
        // The body's last three octets, then the next request's secret in the same segment.
        var lookalike = Encoding.ASCII.GetBytes("\x16\x03\x01GET / HTTP/1.1\r\nAuthorization: Bearer SECRET\r\n\r\n");
        var kept = flows.Redact(FromClient(TcpSegment.Psh | TcpSegment.Ack, lookalike));
        Assert.Equal(Headers, kept.Length);
    }

    [Fact]
    public void A_TLS_connection_keeps_the_payload_of_every_segment_both_ways_until_it_ends()
    {
        var flows = new TlsFlows();
        Handshake(flows);
        Assert.Equal(45, KeptPayload(flows, FromClient(TcpSegment.Psh | TcpSegment.Ack, Hello(1))));
        Assert.Equal(45, KeptPayload(flows, FromServer(TcpSegment.Psh | TcpSegment.Ack, Hello(2))));
        // A segment in the middle of a record begins with ciphertext, not with a record header.
        Assert.Equal(100, KeptPayload(flows, FromServer(TcpSegment.Ack, new byte[100])));
        Assert.Equal(5, KeptPayload(flows, FromClient(TcpSegment.Fin | TcpSegment.Ack, [23, 3, 3, 0, 0])));
        Assert.Equal(5, KeptPayload(flows, FromServer(TcpSegment.Psh | TcpSegment.Ack, [23, 3, 3, 0, 0])));
    }

    [Fact]
    public void A_connection_whose_handshake_was_not_seen_keeps_no_payload_even_if_it_says_hello()
    {
        var flows = new TlsFlows();
        Assert.Equal(0, KeptPayload(flows, FromClient(TcpSegment.Psh | TcpSegment.Ack, Hello(1))));
        Assert.Equal(0, KeptPayload(flows, FromServer(TcpSegment.Ack, new byte[100])));
    }
}
