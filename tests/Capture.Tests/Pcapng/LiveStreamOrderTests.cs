using System.Net;
using Capture.Pcapng;
using Capture.Pcapng.Synthetic;
using Capture.Recorder.Pcapng;
using Capture.Tests.Support;

namespace Capture.Tests.Pcapng;

/// <summary>`record --pcapng`: the delay buffer writes packets in time order, but each direction of a synthetic flow in
/// stream order (its sequence numbers increasing), since Wireshark reads a TCP stream in file order. Two threads
/// writing one socket are stamped when their calls began, and the kernel orders their bytes when the calls end.</summary>
public sealed class LiveStreamOrderTests : IDisposable
{
    private const long Ms = 1_000_000, Start = 1_700_000_000_000_000_000;
    private static readonly IPAddress Client = IPAddress.Parse("10.0.0.1"), Server = IPAddress.Parse("10.0.0.2");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static PlaintextChunk Chunk(RecordedConnection c, long atMs, bool fromClient, long pos, string text) =>
        new(c.Id, Start + atMs * Ms, 10, 11, 3, "client", fromClient, pos, System.Text.Encoding.ASCII.GetBytes(text), Tls: true);

    private static string Milliseconds(string epochSeconds) =>
        ((decimal.Parse(epochSeconds, System.Globalization.CultureInfo.InvariantCulture) - Start / 1_000_000_000m) * 1000).ToString("0", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_call_that_began_first_but_holds_the_later_bytes_is_written_after_them_while_other_flows_keep_time_order()
    {
        var upload = new RecordedConnection(1, Client, 40000, Server, 443, ConnectionSide.Client);
        var other = new RecordedConnection(2, Client, 40001, Server, 443, ConnectionSide.Client);
        const string head = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n";
        var path = _dir.File("live.pcapng");
        using (var file = new PcapngWriter(File.Create(path), "test"))
        {
            var buffer = new PacketDelayBuffer(file);
            var packets = new PlaintextPacketWriter(buffer);
            // As the db writer hands them over, in stream order: thread A's head (its call began at 2 ms) holds the
            // stream's first bytes, thread B's body (began at 1 ms) the bytes after them.
            packets.Write(upload, Chunk(upload, 2, true, 0, head));
            packets.Write(upload, Chunk(upload, 1, true, head.Length, "0123456789"));
            packets.Write(other, Chunk(other, 0, true, 0, "GET /other HTTP/1.1\r\nHost: x\r\n\r\n"));
            packets.Write(other, Chunk(other, 3, false, 0, "HTTP/1.1 204 No Content\r\n\r\n"));
            packets.Write(upload, Chunk(upload, 4, false, 0, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"));
            packets.Finish();
            buffer.ReleaseAll();
        }

        Assert.Equal(["GET\t/other\t", "POST\t/upload\t10"],
            PacketTools.Tshark(path, "http.request", ["http.request.method", "http.request.uri", "http.content_length"]).Select(r => string.Join('\t', r)));
        Assert.Equal(["204", "201"], PacketTools.Tshark(path, "http.response", ["http.response.code"]).Select(r => r[0]));
        Assert.Equal(0, PacketTools.TsharkCount(path, "tcp.analysis.flags && !tcp.analysis.window_update"));
        // The body follows the head with its own time; the other flow's packets keep their place in time around them.
        Assert.Equal(["0 ms from 40001", "2 ms from 40000", "1 ms from 40000", "3 ms from 80", "4 ms from 80"],
            PacketTools.Tshark(path, "tcp.len > 0", ["frame.time_epoch", "tcp.srcport"]).Select(r => $"{Milliseconds(r[0])} ms from {r[1]}"));
    }
}
