using Capture.Tests.Support;

namespace Capture.Tests.Pcapng;

/// <summary>`analyze --export-pcapng` of recordings made to order, read back by tshark with no preferences changed:
/// Wireshark must find the exchanges the analyzer finds, in the direction and with the status it gives, and complain
/// about the TCP stream only where the recording itself has a hole. Needs tshark, not root.</summary>
public sealed class ExportedRecordingInTsharkTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private SyntheticRecording Recording(string name) => new(_dir.File(name + ".db"));

    private string Export(string db, params string[] extra)
    {
        var output = _dir.File(Path.GetFileNameWithoutExtension(db) + ".pcapng");
        Analyze.Output(db, ["--export-pcapng", output, .. extra]);
        return output;
    }

    private const string TcpComplaints = "tcp.analysis.flags && !tcp.analysis.window_update";

    [Fact]
    public void Two_threads_writing_one_socket_keep_the_stream_order_when_the_later_bytes_began_first()
    {
        // Thread A began writing the head at 2 ms and got the first stream bytes; thread B began writing the body at
        // 1 ms but the kernel put its bytes after A's (egress is stamped when the call began, positions when it ended).
        var rec = Recording("threads");
        rec.Connection("client", 10, "client", "10.0.0.1:40000", "10.0.0.2:80")
            .ClientSends(2, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
            .ClientSends(1, "0123456789")
            .ServerSends(3, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        var db = rec.Save();
        Assert.Equal(["POST /upload 201"], Analyze.ListJson(db).Select(e => $"{e.GetProperty("method")} {e.GetProperty("path")} {e.GetProperty("status")}"));

        var pcapng = Export(db);
        Assert.Equal(["POST\t/upload\t10"], PacketTools.Tshark(pcapng, "http.request", ["http.request.method", "http.request.uri", "http.content_length"]).Select(r => string.Join('\t', r)));
        Assert.Equal(["201\t/upload"], PacketTools.Tshark(pcapng, "http.response", ["http.response.code", "http.response_for.uri"]).Select(r => string.Join('\t', r.Select(f => f.Replace("http://x", "")))));
        Assert.Equal(1, PacketTools.TsharkCount(pcapng, "tcp.flags.syn == 1 && tcp.flags.ack == 0")); // it starts with its handshake
        Assert.Equal(0, PacketTools.TsharkCount(pcapng, TcpComplaints));
        // Each packet keeps the time of its call.
        Assert.Equal(["2.000", "1.000", "3.000"], PacketTools.Tshark(pcapng, "tcp.len > 0", ["frame.time_epoch"])
            .Select(r => ((decimal.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture) - SyntheticRecording.Epoch.ToUnixTimeSeconds()) * 1000).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
