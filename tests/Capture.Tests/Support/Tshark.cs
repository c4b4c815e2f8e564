namespace Capture.Tests.Support;

/// <summary>tcpdump on loopback while a test runs, and tshark's reading of what it captured: the
/// independent decoder our analysis is checked against.</summary>
internal sealed class LoopbackCapture : IDisposable
{
    private readonly BackgroundProcess _tcpdump;
    public string PcapPath { get; }

    public LoopbackCapture(string directory, int port)
    {
        PcapPath = Path.Combine(directory, $"lo-{port}.pcap");
        _tcpdump = new BackgroundProcess("tcpdump", ["-i", "lo", "-U", "-s", "0", "-w", PcapPath, $"tcp port {port}"]);
        _tcpdump.WaitForLine("tcpdump: listening on", TimeSpan.FromSeconds(20));
    }

    /// <summary>Stops tcpdump (SIGINT flushes the file) and returns the pcap.</summary>
    public string Stop()
    {
        _tcpdump.Signal(2);
        Assert.True(_tcpdump.WaitForExit(TimeSpan.FromSeconds(20)), "tcpdump did not stop");
        return PcapPath;
    }

    public void Dispose() => _tcpdump.Dispose();
}

internal static class Tshark
{
    /// <summary>Values of the given fields in every packet that passes <paramref name="filter"/>, one list per
    /// field per packet (a packet can carry several HTTP/2 frames). Port <paramref name="port"/> is decoded as
    /// HTTP/2; <paramref name="keyLog"/> lets tshark decrypt TLS.</summary>
    public static List<string[][]> Fields(string pcap, int port, string filter, string[] fields, string? keyLog = null)
    {
        // Over TLS, tshark takes HTTP/2 from the ALPN once the keys decrypt the handshake.
        string decodeAs = keyLog is null ? "http2" : "tls";
        var args = new List<string> { "-r", pcap, "-d", $"tcp.port=={port},{decodeAs}", "-Y", filter, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=\u0001", "-E", "separator=\u0002" };
        if (keyLog is not null) args.AddRange(["-o", $"tls.keylog_file:{keyLog}"]);
        foreach (var field in fields) args.AddRange(["-e", field]);
        var result = ProcessRunner.Run("tshark", args);
        Assert.True(result.ExitCode == 0, "tshark failed: " + result.Stderr);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\u0002').Select(v => v.Length == 0 ? Array.Empty<string>() : v.Split('\u0001')).ToArray())
            .ToList();
    }

    /// <summary>Every HTTP/2 request tshark decoded, as "METHOD PATH", and every response status.</summary>
    public static (List<string> Requests, List<string> Statuses) Http2Messages(string pcap, int port, string? keyLog = null)
    {
        var packets = Fields(pcap, port, "http2.type == 1", ["http2.headers.method", "http2.headers.path", "http2.headers.status"], keyLog);
        var requests = packets.SelectMany(p => p[0].Zip(p[1], (m, path) => $"{m} {path}")).ToList();
        var statuses = packets.SelectMany(p => p[2]).ToList();
        return (requests, statuses);
    }
}
