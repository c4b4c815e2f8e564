using System.Text.Json;
using Capture.Tests.EndToEnd;
using Capture.Tests.Support;

namespace Capture.Tests.Faults;

/// <summary>
/// A 100 MB response body: the exchange keeps its true size and status, is flagged `truncated` where the
/// per-call cap left bytes uncaptured, and the recorder's memory stays bounded while the body streams through.
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class LargeBodyTests
{
    public const int BodyBytes = 100 * 1024 * 1024;

    /// <summary>Generous, so that a loaded machine does not fail it: the queue alone may hold ~64 MiB.</summary>
    public const long RecorderPeakRssLimitBytes = 400L * 1024 * 1024;

    [Fact]
    public void A_100_MB_body_keeps_its_size_is_flagged_truncated_and_the_recorder_stays_within_its_memory_bound()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        Peers.NginxFile(dir.Path, "big", BodyBytes);
        using var recorder = RecorderRun.Start(dir.Path, "--port", port.ToString(), "--max-capture-bytes", "4096");

        Peers.Curl("-o", "/dev/null", $"http://127.0.0.1:{port}/big");
        Thread.Sleep(500);
        long peakRss = PeakRssBytes(recorder.Pid);
        Assert.Equal(0, recorder.Stop());
        Console.WriteLine($"recorder peak RSS while a 100 MB body was recorded: {peakRss / (1024 * 1024)} MiB");
        Assert.True(peakRss < RecorderPeakRssLimitBytes, $"recorder peak RSS {peakRss / (1024 * 1024)} MiB");

        var exchanges = Analyze.OnPort(Analyze.SlowestJson(recorder.DbPath), port);
        Assert.Equal(2, exchanges.Count);
        foreach (var e in exchanges)
        {
            Assert.Equal(200, e.GetProperty("status").GetInt32());
            Assert.Equal("/big", e.GetProperty("path").GetString());
            Assert.Contains("truncated", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
            Assert.DoesNotContain("malformed", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
            Assert.DoesNotContain("incomplete", e.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
            // Head plus body: the body's full length, though most of it was not captured.
            Assert.True(e.GetProperty("resp_bytes").GetInt64() is > BodyBytes + 100 and < BodyBytes + 1000, e.ToString());
        }
    }

    /// <summary>VmHWM: the most resident memory the process has used so far.</summary>
    private static long PeakRssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
