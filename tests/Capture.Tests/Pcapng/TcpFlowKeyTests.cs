using System.Net;
using Capture.Pcapng;
using Capture.Recorder.Pcapng;

namespace Capture.Tests.Pcapng;

/// <summary>The key that matches a real packet to a recorded connection.</summary>
public sealed class TcpFlowKeyTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.2")]
    [InlineData("::1", "fe80::2")]
    public void Both_directions_of_a_packet_and_the_recorded_endpoints_give_one_key(string a, string b)
    {
        var (client, server) = (IPAddress.Parse(a), IPAddress.Parse(b));
        var outbound = TcpFlowKey.FromPacket(TcpSegment.Build(client, 40000, server, 443, 1, 1, TcpSegment.Syn, []));
        var inbound = TcpFlowKey.FromPacket(TcpSegment.Build(server, 443, client, 40000, 1, 2, TcpSegment.Ack, [1, 2, 3]));

        Assert.NotNull(outbound);
        Assert.Equal(outbound, inbound);
        Assert.Equal(outbound, TcpFlowKey.FromEndpoints(server, 443, client, 40000));
        Assert.NotEqual(outbound, TcpFlowKey.FromEndpoints(client, 40001, server, 443));
    }

    [Fact]
    public void An_ipv4_packet_matches_a_dual_stack_socket_that_reports_its_peer_as_ipv4_mapped_ipv6()
    {
        var packet = TcpSegment.Build(IPAddress.Parse("127.0.0.1"), 40000, IPAddress.Parse("127.0.0.1"), 8080, 1, 1, TcpSegment.Ack, []);
        Assert.Equal(TcpFlowKey.FromPacket(packet),
            TcpFlowKey.FromEndpoints(IPAddress.Parse("::ffff:127.0.0.1"), 8080, IPAddress.Parse("127.0.0.1"), 40000));
    }

    [Fact]
    public void A_packet_without_a_tcp_header_has_no_key()
    {
        var tcp = TcpSegment.Build(IPAddress.Parse("127.0.0.1"), 1, IPAddress.Parse("127.0.0.1"), 2, 1, 1, TcpSegment.Ack, []);
        var udp = tcp.ToArray();
        udp[9] = 17;
        var laterFragment = tcp.ToArray();
        laterFragment[7] = 8; // fragment offset 64 bytes
        Assert.Null(TcpFlowKey.FromPacket(udp));
        Assert.Null(TcpFlowKey.FromPacket(laterFragment));
        Assert.Null(TcpFlowKey.FromPacket(tcp.AsSpan(0, 21)));
        Assert.Null(TcpFlowKey.FromPacket([]));
    }
}
