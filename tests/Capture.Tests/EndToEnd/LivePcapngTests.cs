using Capture.Tests.Support;

namespace Capture.Tests.EndToEnd;

/// <summary>`record --pcapng FILE`: the synthetic packets of what was recorded and the real TCP
/// packets of the same connections, in one file that tshark and tcpdump read.</summary>
[Collection(RecordingCollection.Name)]
public sealed class LivePcapngTests
{
    [Fact]
    public void Https_recorded_live_has_the_decrypted_requests_beside_the_real_encrypted_packets_once_each()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = TlsPeers.Nginx(dir.Path, port);
        var pcapng = dir.File("live.pcapng");
        using var recorder = RecorderRun.Start(dir.Path, "--pcapng", pcapng, "--port", port.ToString());
        Peers.Curl("-k", "-o", "/dev/null", "-o", "/dev/null", $"https://127.0.0.1:{port}/hello", $"https://127.0.0.1:{port}/status/404");
        Peers.Curl("-k", "-o", "/dev/null", $"https://127.0.0.1:{port}/hello?again");
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());
        Assert.Matches(@"pcapng .*live\.pcapng: [\d,]+ packets \([\d,]+ real, 0 dropped by the packet ring, [\d,]+ of connections not recorded left out\)", recorder.Output);

        // The decrypted side: each request once in curl's view and once in nginx's.
        var requests = PacketTools.Tshark(pcapng, "http.request", ["http.request.uri", "frame.comment", "frame.interface_name"]);
        Assert.Equal(new[] { "/hello", "/hello", "/hello?again", "/hello?again", "/status/404", "/status/404" }, requests.Select(r => r[0]).Order());
        Assert.All(requests, r => Assert.Equal("capture-tls-plaintext", r[2]));
        Assert.Equal(3, requests.Count(r => r[1].Contains("comm=curl")));
        Assert.Equal(3, requests.Count(r => r[1].StartsWith($"pid={nginx.Pid} ") && r[1].Contains("comm=nginx")));

        // The real side: TLS on the real port, on loopback, each packet once (two connections: two SYNs, not four).
        Assert.Equal(2, PacketTools.TsharkCount(pcapng, $"tcp.port == {port} && tcp.flags.syn == 1 && tcp.flags.ack == 0"));
        Assert.True(PacketTools.TsharkCount(pcapng, $"tcp.port == {port} && tls.handshake.type == 1") == 2, "each connection's ClientHello once");
        Assert.All(PacketTools.Tshark(pcapng, $"tcp.port == {port}", ["frame.interface_name"]), r => Assert.Equal("lo", r[0]));
        // Only the recorded connections' real packets: none of another port.
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, $"!frame.comment && !(tcp.port == {port})"));
        // Loopback doubled would make every real packet a retransmission of itself.
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, $"tcp.port == {port} && tcp.analysis.retransmission"));
        Assert.Equal(PacketTools.TsharkCount(pcapng, null), PacketTools.TcpdumpCount(pcapng));
    }

    [Fact]
    public void A_recorder_killed_mid_recording_leaves_a_pcapng_readable_up_to_its_last_packet()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var server = Peers.PythonServer("127.0.0.1", port);
        var pcapng = dir.File("live.pcapng");
        using var recorder = RecorderRun.Start(dir.Path, "--pcapng", pcapng, "--port", port.ToString());
        Peers.Curl("-o", "/dev/null", $"http://127.0.0.1:{port}/fast");
        // Packets reach the file after the delay buffer's hold (2 s); a kill -9 loses what is still held.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (PacketTools.TsharkCount(pcapng, "http.request") < 3 && DateTime.UtcNow < deadline) Thread.Sleep(250);
        recorder.Kill();

        Assert.Equal(2, PacketTools.TsharkCount(pcapng, "http.request && frame.comment contains \"comm=\"")); // curl's view and python's
        Assert.Equal(1, PacketTools.TsharkCount(pcapng, $"http.request && tcp.port == {port}")); // the real packet, plaintext here
        Assert.Equal(PacketTools.TsharkCount(pcapng, null), PacketTools.TcpdumpCount(pcapng));
    }
}
