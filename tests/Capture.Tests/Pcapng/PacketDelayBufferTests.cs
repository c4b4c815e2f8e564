using System.Net;
using Capture.Pcapng;
using Capture.Recorder.Pcapng;

namespace Capture.Tests.Pcapng;

/// <summary>The live pcapng's delay buffer: real packets only of recorded connections (their
/// handshake included, though the connection becomes known after it), everything in time order,
/// and a byte bound that writes early rather than grow.</summary>
public sealed class PacketDelayBufferTests
{
    private static readonly IPAddress Client = IPAddress.Parse("127.0.0.1"), Server = IPAddress.Parse("127.0.0.2");
    private const long Second = 1_000_000_000;

    private sealed class Harness
    {
        private readonly MemoryStream _file = new();
        public PacketDelayBuffer Buffer { get; }
        public int Interface { get; }

        public Harness()
        {
            Buffer = new PacketDelayBuffer(new PcapngWriter(_file, "capture tests"));
            Interface = Buffer.AddInterface(PcapngFormat.LinkTypeLinuxSll2, 0, "lo", "loopback");
        }

        /// <summary>A real packet of CLIENT:clientPort → SERVER:serverPort (or back) with its first payload byte as a label.</summary>
        public void Real(long ts, int clientPort, int serverPort, byte label, bool toServer = true, byte flags = TcpSegment.Ack)
        {
            var ip = toServer ? TcpSegment.Build(Client, (ushort)clientPort, Server, (ushort)serverPort, 1, 1, flags, [label])
                              : TcpSegment.Build(Server, (ushort)serverPort, Client, (ushort)clientPort, 1, 1, flags, [label]);
            var frame = Sll2Header.Wrap(ip, 1, outgoing: false);
            Buffer.AddReal(Interface, ts, frame, frame.Length, PacketDirection.Unknown, TcpFlowKey.FromPacket(ip));
        }

        /// <summary>A synthetic packet of a flow of its own (so only time orders it), its first payload byte as a label.</summary>
        public void Synthetic(long ts, byte label)
        {
            var frame = Sll2Header.Wrap(TcpSegment.Build(Client, (ushort)(50000 + label), Server, 8080, 1, 1, TcpSegment.Ack, [label]), 0, outgoing: true);
            Buffer.WritePacket(Interface, ts, frame, frame.Length, PacketDirection.Outbound, "synthetic");
        }

        /// <summary>A synthetic packet CLIENT:40000 → SERVER:80 with this seq and flags, its first payload byte as a label.</summary>
        public void SyntheticAt(long ts, uint seq, byte label, byte flags = TcpSegment.Ack)
        {
            var frame = Sll2Header.Wrap(TcpSegment.Build(Client, 40000, Server, 80, seq, 1, flags, [label]), 0, outgoing: true);
            Buffer.WritePacket(Interface, ts, frame, frame.Length, PacketDirection.Outbound, "synthetic");
        }

        public List<PcapngReader.Packet> Packets() => PcapngReader.Packets(PcapngReader.Blocks(_file.ToArray()));

        /// <summary>The label of each packet in the file, in file order.</summary>
        public List<byte> Written() => Packets().Select(p => p.Data[^1]).ToList();
    }

    private static TcpFlowKey Connection(int clientPort, int serverPort) => TcpFlowKey.FromEndpoints(Client, clientPort, Server, serverPort);

    [Fact]
    public void Real_packets_of_a_connection_recorded_within_the_delay_are_written_from_its_syn_on()
    {
        var h = new Harness();
        h.Real(1 * Second, 40000, 443, 1, flags: TcpSegment.Syn);
        h.Real(1 * Second + 10, 40000, 443, 2, toServer: false, flags: TcpSegment.Syn | TcpSegment.Ack);
        h.Real(1 * Second + 20, 40000, 443, 3);
        h.Buffer.Recorded(Connection(40000, 443)); // its first event arrives after the handshake
        h.Real(1 * Second + 30, 40000, 443, 4, toServer: false);
        h.Buffer.ReleaseAll();

        Assert.Equal([1, 2, 3, 4], h.Written());
        Assert.Equal(4, h.Buffer.RealWritten);
        Assert.Equal(0, h.Buffer.RealLeftOut);
    }

    [Fact]
    public void Real_packets_of_connections_never_recorded_are_left_out_and_counted()
    {
        var h = new Harness();
        h.Buffer.Recorded(Connection(40000, 443));
        h.Real(1 * Second, 40000, 443, 1);
        h.Real(1 * Second + 1, 40001, 443, 2);  // same server, another client port
        h.Real(1 * Second + 2, 40000, 8443, 3); // same client port, another server
        h.Real(1 * Second + 3, 40000, 443, 4, toServer: false);
        h.Buffer.ReleaseAll();

        Assert.Equal([1, 4], h.Written());
        Assert.Equal(2, h.Buffer.RealLeftOut);
    }

    [Fact]
    public void Packets_are_written_in_time_order_whatever_order_they_arrive_in_and_only_once_due()
    {
        var h = new Harness();
        h.Buffer.Recorded(Connection(40000, 80));
        h.Synthetic(3 * Second, 30);
        h.Real(1 * Second, 40000, 80, 10);
        h.Synthetic(2 * Second, 20);
        h.Real(2 * Second, 40000, 80, 21); // same timestamp: arrival order
        h.Real(4 * Second, 40000, 80, 40);

        h.Buffer.ReleaseUntil(2 * Second);
        Assert.Equal([10, 20, 21], h.Written());
        h.Buffer.ReleaseAll();
        Assert.Equal([10, 20, 21, 30, 40], h.Written());
        Assert.Equal(0, h.Buffer.OutOfOrder);
    }

    [Fact]
    public void A_packet_arriving_after_later_ones_were_written_is_still_written_and_counted_out_of_order()
    {
        var h = new Harness();
        h.Synthetic(5 * Second, 50);
        h.Buffer.ReleaseUntil(5 * Second);
        h.Synthetic(4 * Second, 40);
        h.Buffer.ReleaseAll();

        Assert.Equal([50, 40], h.Written());
        Assert.Equal(1, h.Buffer.OutOfOrder);
    }

    [Fact]
    public void Past_its_byte_bound_the_buffer_writes_its_oldest_packets_before_their_delay_is_over()
    {
        var h = new Harness();
        var big = new byte[1 << 20];
        int count = (int)(PacketDelayBuffer.MaxBytes / big.Length) + 2;
        for (int i = 0; i < count; i++) h.Buffer.WritePacket(h.Interface, i, big, big.Length, PacketDirection.Unknown);

        h.Buffer.ReleaseUntil(long.MinValue); // nothing is due: only the bound releases
        long written = h.Buffer.WrittenEarly;
        Assert.InRange(written, 1, count - 1);
        Assert.Equal(Enumerable.Range(0, (int)written).Select(i => (long)i), h.Packets().Select(p => p.TimestampNs)); // the oldest first
        h.Buffer.ReleaseAll();
        Assert.Equal(count, h.Packets().Count);
    }

    [Fact]
    public void A_packet_due_before_the_bytes_ahead_of_it_in_its_tcp_stream_waits_for_them_even_when_it_arrived_first()
    {
        var h = new Harness();
        h.SyntheticAt(1 * Second, seq: 1100, label: 2); // the later bytes, from the call that began first
        h.Synthetic(2 * Second, 20);                   // another flow: written in its place in time
        h.SyntheticAt(3 * Second, seq: 1000, label: 1);

        h.Buffer.ReleaseUntil(2 * Second);
        Assert.Equal([20], h.Written());
        h.Buffer.ReleaseAll();
        Assert.Equal([20, 1, 2], h.Written());
    }

    [Fact]
    public void A_syn_starts_a_new_stream_so_a_reused_port_pair_is_not_ordered_by_the_old_connections_sequence_numbers()
    {
        var h = new Harness();
        h.SyntheticAt(1 * Second, seq: 0x7000_0000, label: 1);
        h.SyntheticAt(2 * Second, seq: 0x1000, label: 2, flags: TcpSegment.Syn); // the next connection on the same ports
        h.SyntheticAt(2 * Second + 1, seq: 0x1001, label: 3);
        h.Buffer.ReleaseAll();

        Assert.Equal([1, 2, 3], h.Written());
    }
}
