using Capture.Tests.EndToEnd;
using Capture.Tests.Support;

namespace Capture.Tests.Faults;

/// <summary>Two recorders at the same time each load their own programs and maps: both record the same traffic, and stopping one leaves the other recording.</summary>
[Collection(RecordingCollection.Name)]
public sealed class ConcurrentRecordTests
{
    [Fact]
    public void Two_recorders_at_once_both_record_and_each_releases_only_its_own_kernel_objects()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        using var first = RecorderRun.Start(Directory.CreateDirectory(dir.File("first")).FullName, "--port", port.ToString());
        using var second = RecorderRun.Start(Directory.CreateDirectory(dir.File("second")).FullName, "--port", port.ToString());
        var firstHeld = KernelObjects.HeldBy(first.Pid);
        var secondHeld = KernelObjects.HeldBy(second.Pid);
        Assert.Empty(firstHeld.Programs.Intersect(secondHeld.Programs));

        Peers.Curl("-o", "/dev/null", $"http://127.0.0.1:{port}/hello");
        Thread.Sleep(300);
        Assert.Equal(0, first.Stop());
        firstHeld.AssertAllReleased("the first recorder stopped");
        Assert.Equal(secondHeld.Count, secondHeld.StillLoadedNow().Count);

        Peers.Curl("-o", "/dev/null", $"http://127.0.0.1:{port}/status/404");
        Thread.Sleep(300);
        Assert.Equal(0, second.Stop());
        secondHeld.AssertAllReleased("the second recorder stopped");

        string[] Seen(string db) => Analyze.OnPort(Analyze.SlowestJson(db), port)
            .Select(e => $"{e.GetProperty("side").GetString()} {e.GetProperty("path").GetString()} {e.GetProperty("status")}").Order().ToArray();
        Assert.Equal(["client /hello 200", "server /hello 200"], Seen(first.DbPath));
        Assert.Equal(["client /hello 200", "client /status/404 404", "server /hello 200", "server /status/404 404"], Seen(second.DbPath));
    }
}
