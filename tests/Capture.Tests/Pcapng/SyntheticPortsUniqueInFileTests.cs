using System.Buffers.Binary;
using System.Net;
using Capture.Pcapng;
using Capture.Pcapng.Synthetic;
using Capture.Tests.Support;

namespace Capture.Tests.Pcapng;

/// <summary>
/// Wireshark joins TCP conversations by addresses and ports, whatever the interface. A synthetic flow's server port is
/// one of a few HTTP ports and its client port the real one, so two real connections from one client socket address to
/// two ports of one server would share one synthetic 5-tuple, and read as one stream. Each flow of a file gets a 5-tuple
/// of its own: the view's other HTTP port, else another client port; the real endpoints stay in the comments.
/// </summary>
public sealed class SyntheticPortsUniqueInFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1"), B = IPAddress.Parse("10.0.0.2");

    private static RecordedConnection FromClient(long id, int serverPort) => new(id, A, 40000, B, serverPort, ConnectionSide.Client);

    [Fact]
    public void Connections_that_differ_only_in_their_server_port_get_different_synthetic_ports()
    {
        var ports = new SyntheticPortAllocator();
        var taken = Enumerable.Range(0, 5).Select(i => ports.Allocate(FromClient(i, 9000 + i))).ToList();

        Assert.Equal(5, taken.Distinct().Count());
        Assert.Equal([(40000, 80), (40000, 8088)], taken.Take(2)); // the view's two HTTP ports first, with the real client port
        Assert.All(taken.Skip(2), p => Assert.Equal(80, p.ServerPort)); // then another client port, never an HTTP one
        Assert.All(taken.Skip(2), p => Assert.False(SyntheticPorts.IsHttpPort(p.ClientPort)));
    }

    [Fact]
    public void Only_the_most_recent_flows_are_remembered_so_a_long_recording_neither_grows_nor_searches_without_end()
    {
        var ports = new SyntheticPortAllocator();
        Assert.Equal((40000, 80), ports.Allocate(FromClient(0, 9000)));
        // Loopback's ephemeral ports come round again: flows from other client ports, as many as are remembered.
        for (int i = 1; i <= SyntheticPortAllocator.RememberedFlows; i++)
            ports.Allocate(new RecordedConnection(i, A, 1024 + i, B, 9000, ConnectionSide.Client));

        // The first flow is forgotten: a new connection from its client port takes its ports again, without a search.
        Assert.Equal((40000, 80), ports.Allocate(FromClient(99999, 9001)));
        // A recent one is remembered: its client port reused moves on.
        Assert.NotEqual((1024 + 5, 80), ports.Allocate(new RecordedConnection(100000, A, 1024 + 5, B, 9002, ConnectionSide.Client)));
    }

    [Fact]
    public void A_flow_never_takes_its_real_server_port_even_when_its_first_choice_is_taken()
    {
        var ports = new SyntheticPortAllocator();
        ports.Allocate(FromClient(1, 9000));

        Assert.Equal((41000, 80), ports.Allocate(new RecordedConnection(2, A, 41000, B, 8088, ConnectionSide.Client)));
        var second = ports.Allocate(new RecordedConnection(3, A, 41000, B, 8088, ConnectionSide.Client)); // the port reused
        Assert.NotEqual(8088, second.ServerPort);
        Assert.NotEqual((41000, 80), second);
    }

    [Fact]
    public void Exported_connections_from_one_client_port_to_two_server_ports_are_two_tcp_streams_each_with_its_own_exchange()
    {
        // One client socket address, two servers on one host, both open at once: Wireshark must not mix them up.
        var rec = new SyntheticRecording(_dir.File("shared-client-port.db"));
        rec.Connection("client", 10, "client", "10.0.0.1:40000", "10.0.0.2:9000")
            .ClientSends(1, "GET /nine HTTP/1.1\r\nHost: x\r\n\r\n")
            .ServerSends(4, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        rec.Connection("client", 10, "client", "10.0.0.1:40000", "10.0.0.2:9001")
            .ClientSends(2, "GET /nine-one HTTP/1.1\r\nHost: x\r\n\r\n")
            .ServerSends(3, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        string db = rec.Save();
        string pcapng = _dir.File("shared-client-port.pcapng");
        Analyze.Output(db, "--export-pcapng", pcapng);

        Assert.Equal(["0", "1"], PacketTools.Tshark(pcapng, null, ["tcp.stream"]).Select(r => r[0]).Distinct().Order());
        Assert.Equal(["200\t/nine", "404\t/nine-one"], PacketTools.Tshark(pcapng, "http.response", ["http.response.code", "http.response_for.uri"])
            .Select(r => string.Join('\t', r).Replace("http://x", "")).Order());
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, "tcp.analysis.flags && !tcp.analysis.window_update"));

        // Our reader: each real connection (its comment's conn=) has one synthetic port pair, and no pair is another's.
        var pairs = PcapngReader.Packets(PcapngReader.Blocks(File.ReadAllBytes(pcapng)))
            .Select(p => (Connection: Comment(p).Split(' ').Single(f => f.StartsWith("conn=")), Ports: Ports(p.Data)))
            .Distinct().ToList();
        Assert.Equal(2, pairs.Select(p => p.Connection).Distinct().Count());
        Assert.Equal(2, pairs.Select(p => p.Ports).Distinct().Count());
        Assert.All(pairs.GroupBy(p => p.Connection), g => Assert.Single(g));
    }

    private static string Comment(PcapngReader.Packet packet) => packet.Block.Text(PcapngFormat.OptComment) ?? "";

    /// <summary>The packet's ports, lower first (both directions of a flow give the same pair): SLL2, IPv4, then TCP.</summary>
    private static (int, int) Ports(byte[] packet)
    {
        var tcp = packet.AsSpan(Sll2Header.Length + 20);
        int source = BinaryPrimitives.ReadUInt16BigEndian(tcp), destination = BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]);
        return (Math.Min(source, destination), Math.Max(source, destination));
    }
}
