using Capture.Recorder.Interop;
using Capture.Recorder.Pcapng;
using Capture.Tests.Support;

namespace Capture.Tests.Pcapng;

/// <summary>`record --pcapng` for a connection the kernel first saw open (connections.mid_stream): its stream positions
/// count from where the recording joined it, and its synthetic flow does not claim a handshake that nobody saw.</summary>
public sealed class LiveJoinedConnectionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static DataEvent Event(ulong connId, ushort localPort, Direction direction, ulong streamPos, int length) => new()
    {
        Header = new EventHeader
        {
            TimestampNs = connId * 1_000_000 + (direction == Direction.Ingress ? 1_000UL : 0UL),
            ConnId = connId, Pid = 10, Tid = 10, Fd = 3, Kind = EventKind.Data, Role = ConnRole.Client,
            Tuple = new ConnTuple { LocalPort = localPort, RemotePort = 80, Family = 10 },
        },
        StreamPos = streamPos, CallBytes = (ulong)length, DataLen = (uint)length, Direction = direction,
    };

    private static void Exchange(LivePcapng live, ulong connId, ushort localPort, string path)
    {
        var request = System.Text.Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
        var response = "HTTP/1.1 204 No Content\r\n\r\n"u8.ToArray();
        live.Offer(Event(connId, localPort, Direction.Egress, 0, request.Length), request);
        live.Offer(Event(connId, localPort, Direction.Ingress, 0, response.Length), response);
    }

    [Fact]
    public void A_connection_the_recorder_joined_mid_way_has_no_handshake_and_one_seen_from_its_start_has_one()
    {
        var path = _dir.File("live.pcapng");
        using (var live = LivePcapng.Create(path, overwrite: false))
        {
            live.JoinedMidStream(1);
            Exchange(live, 1, 40000, "/joined");
            Exchange(live, 2, 40001, "/opened");
            live.Finish();
        }

        Assert.Equal(["/joined", "/opened"], PacketTools.Tshark(path, "http.request", ["http.request.uri"]).Select(r => r[0]));
        Assert.Equal(["40001"], PacketTools.Tshark(path, "tcp.flags.syn == 1 && tcp.flags.ack == 0", ["tcp.srcport"]).Select(r => r[0]));
        Assert.Equal(0, PacketTools.TsharkCount(path, "tcp.analysis.flags && !tcp.analysis.window_update"));
    }
}
