namespace Capture.Tests.Support;

/// <summary>The independent readers of what we write: tshark (Wireshark's dissectors, no
/// preferences changed unless a test says so) and tcpdump (libpcap, the stricter reader).</summary>
internal static class PacketTools
{
    /// <summary>tshark -r FILE [-Y FILTER] -T fields -e …: one row per packet. Fails the test if
    /// tshark exits non-zero or says anything on stderr beyond its note about running as root.</summary>
    public static List<string[]> Tshark(string file, string? filter, string[] fields, params string[] preferences) =>
        TsharkWith(file, filter, fields, preferences.SelectMany(p => new[] { "-o", p }));

    /// <summary>The same with any other tshark options (`-d` Decode As, `-E aggregator=…`).</summary>
    public static List<string[]> TsharkWith(string file, string? filter, string[] fields, IEnumerable<string> options)
    {
        var args = new List<string> { "-n", "-r", file };
        args.AddRange(options);
        if (filter is not null) args.AddRange(["-Y", filter]);
        args.AddRange(["-T", "fields", "-E", "separator=\t"]);
        foreach (var f in fields) args.AddRange(["-e", f]);
        var result = ProcessRunner.Run("tshark", args);
        Assert.True(result.ExitCode == 0, $"tshark {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}");
        Assert.Equal("", Warnings(result.Stderr));
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
    }

    /// <summary>A display filter for the synthetic packets of connections to or from <paramref name="port"/>: their
    /// ports are Capture's own, the real endpoints are in each packet's comment ("local=… remote=… side=…").</summary>
    public static string CommentOnPort(int port) => $"frame.comment contains \":{port} \"";

    public static int TsharkCount(string file, string? filter, params string[] preferences) =>
        Tshark(file, filter, ["frame.number"], preferences).Count;

    /// <summary>tcpdump -r: the number of packets it printed; fails the test if it cannot read the file.</summary>
    public static int TcpdumpCount(string file)
    {
        var result = ProcessRunner.Run("tcpdump", ["-n", "-r", file]);
        Assert.True(result.ExitCode == 0, $"tcpdump -r {file} exited {result.ExitCode}: {result.Stderr}");
        Assert.DoesNotContain("tcpdump:", result.Stderr); // its errors ("pcap_loop: …") start so
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    private static string Warnings(string stderr) => string.Join('\n', stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Where(l => !l.StartsWith("Running as user \"root\"", StringComparison.Ordinal)));
}
