using Capture.Tests.EndToEnd;
using Capture.Tests.Support;

namespace Capture.Tests.Faults;

/// <summary>However the recorder ends — its duration, Ctrl-C, SIGTERM — it exits 0, and it leaves no BPF program, map, link or tracefs probe behind.</summary>
[Collection(RecordingCollection.Name)]
public sealed class ExitCleanupTests
{
    [Theory]
    [InlineData("duration")]
    [InlineData("SIGINT")]
    [InlineData("SIGTERM")]
    public void Every_way_of_ending_releases_every_kernel_object(string ending)
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        using var traffic = new TrafficLoop($"http://127.0.0.1:{port}/hello", TimeSpan.FromMilliseconds(20));
        using var recorder = ending == "duration"
            ? RecorderRun.Start(dir.Path, "--port", port.ToString(), "--duration", "2s")
            : RecorderRun.Start(dir.Path, "--port", port.ToString());
        var held = KernelObjects.HeldBy(recorder.Pid);
        Thread.Sleep(500);
        int exit = ending switch
        {
            "duration" => recorder.WaitForExit(TimeSpan.FromSeconds(60)),
            "SIGINT" => recorder.Stop(RecorderRun.SIGINT),
            _ => recorder.Stop(RecorderRun.SIGTERM),
        };

        Assert.True(exit == 0, recorder.Output);
        held.AssertAllReleased(ending);
        Assert.Empty(RecordingChecks.TracefsProbesOf(recorder.Pid));
        Assert.Equal("ok", RecordingChecks.IntegrityCheck(recorder.DbPath));
    }
}
