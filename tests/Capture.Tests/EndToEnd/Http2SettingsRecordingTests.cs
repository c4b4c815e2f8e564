using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.EndToEnd;

/// <summary>
/// Each side's SETTINGS bound the other direction: HEADER_TABLE_SIZE the HPACK table its blocks may use,
/// MAX_FRAME_SIZE its frames. A peer may raise them after the handshake, and after an h2c upgrade they come in
/// the client's HTTP2-Settings field and in frames that precede the other direction's first HTTP/2 byte. The
/// recorder (which decodes every header block to redact it, and blanks one it cannot decode) and the analyzer
/// follow them all, so the blocks and frames sent under raised limits are kept and read as sent.
/// Peers: python3-h2 on both ends (fixtures/servers/h2_settings_peers.py).
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class Http2SettingsRecordingTests
{
    [Fact]
    public void A_server_that_raises_its_table_and_frame_size_mid_connection_is_followed()
    {
        using var dir = new TempDir();
        var exchanges = RecordPeers(dir, "later", out var recording);

        Assert.Equal([
            "client POST settings.test /later/0 200 req=60000 flags=0", "client POST settings.test /later/1 200 req=60000 flags=0",
            "client POST settings.test /later/2 200 req=60000 flags=0", "server POST settings.test /later/0 200 req=60000 flags=0",
            "server POST settings.test /later/1 200 req=60000 flags=0", "server POST settings.test /later/2 200 req=60000 flags=0",
        ], exchanges.Select(e => Describe(e, "req_bytes", "req")).Order());
        // The requests' blocks began with a table size update to 65536, then five 1000-octet fields.
        Assert.All(exchanges, e => Assert.Contains(("x-pad-4", new string('e', 1000)), Fields(recording, e, "request_headers")));
    }

    [Fact]
    public void An_h2c_upgrade_whose_settings_raise_the_limits_is_recorded_and_decoded()
    {
        using var dir = new TempDir();
        var exchanges = RecordPeers(dir, "upgrade", out var recording);

        Assert.Equal([
            "client GET settings.test /upgrade/0 200 resp=40000 flags=0", "client GET settings.test /upgrade/1 200 resp=40000 flags=0",
            "server GET settings.test /upgrade/0 200 resp=40000 flags=0", "server GET settings.test /upgrade/1 200 resp=40000 flags=0",
        ], exchanges.Select(e => Describe(e, "resp_bytes", "resp")).Order());
        // The server's first block, under the HTTP2-Settings field's table size, and its second both read whole.
        Assert.All(exchanges, e => Assert.Contains(("x-pad-4", new string('e', 1000)), Fields(recording, e, "response_headers")));
    }

    private static List<JsonElement> RecordPeers(TempDir dir, string mode, out string recording)
    {
        Requires.RootAndBpf();
        int port = Ports.Free();
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString());
        var peers = ProcessRunner.Run("/usr/bin/python3", [Repo.Fixture("servers/h2_settings_peers.py"), mode, port.ToString()], TimeSpan.FromSeconds(40));
        Assert.True(peers.ExitCode == 0, $"h2_settings_peers.py {mode} exited {peers.ExitCode}: {peers.Stderr}");
        Assert.Equal($"done {(mode == "later" ? 3 : 2)}", peers.Stdout.Trim());
        Thread.Sleep(300);
        Assert.Equal(0, recorder.Stop());
        recording = recorder.DbPath;
        return Analyze.OnPort(Analyze.ListJson(recording), port);
    }

    private static string Describe(JsonElement e, string bytesField, string bytesLabel) =>
        $"{e.GetProperty("side").GetString()} {e.GetProperty("method").GetString()} {e.GetProperty("host").GetString()} " +
        $"{e.GetProperty("path").GetString()} {e.GetProperty("status")} {bytesLabel}={e.GetProperty(bytesField)} " +
        $"flags={e.GetProperty("flags").GetArrayLength()}";

    private static List<(string, string)> Fields(string recording, JsonElement exchange, string which)
    {
        var shown = JsonDocument.Parse(Analyze.Output(recording, "show", exchange.GetProperty("id").ToString(), "--json")).RootElement;
        return shown.GetProperty(which).EnumerateArray().Select(f => (f[0].GetString()!, f[1].GetString()!)).ToList();
    }
}
