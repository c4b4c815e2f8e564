using Capture.Tests.EndToEnd;
using Capture.Tests.Support;

namespace Capture.Tests.Faults;

/// <summary>
/// The disk fills up under the recorder, or its output cannot be written at all: one clear line on stderr,
/// exit 1, never a stack trace; what was written stays a sound, analyzable recording; nothing stays in the kernel.
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class StorageFaultTests
{
    /// <summary>A small tmpfs mounted on a fresh folder for one test, unmounted afterwards.</summary>
    private sealed class SmallDisk : IDisposable
    {
        public string Path { get; }

        public SmallDisk(string parent, string size, bool readOnly = false)
        {
            Path = Directory.CreateDirectory(System.IO.Path.Combine(parent, "disk")).FullName;
            var mount = ProcessRunner.Run("mount", ["-t", "tmpfs", "-o", $"size={size},mode=0755{(readOnly ? ",ro" : "")}", "tmpfs", Path]);
            Assert.True(mount.ExitCode == 0, $"mount tmpfs failed: {mount.Stderr}");
        }

        public void Dispose() => ProcessRunner.Run("umount", ["-l", Path]);
    }

    private static void AssertOneLineFailure(ProcessRunner.Result result, string mustMention)
    {
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}:\n{result.Stderr}");
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var failure = Assert.Single(lines, l => l.StartsWith("record: ", StringComparison.Ordinal));
        Assert.Contains(mustMention, failure);
        Assert.DoesNotContain("unexpected failure", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public void A_full_disk_stops_the_recording_with_one_line_and_exit_1_and_keeps_what_was_written()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        // Each exchange is recorded twice (client and server) in full: about 512 KiB per request.
        Peers.NginxFile(dir.Path, "big", 256 * 1024);
        using var disk = new SmallDisk(dir.Path, "4m");
        string db = Path.Combine(disk.Path, "run.db");

        using var recorder = new BackgroundProcess(Repo.RecordBinary, ["-o", db, "--port", port.ToString(), "--duration", "60s"]);
        recorder.WaitForLine("recording", TimeSpan.FromSeconds(60));
        var held = KernelObjects.HeldBy(recorder.Pid);
        using (new TrafficLoop($"http://127.0.0.1:{port}/big", TimeSpan.FromMilliseconds(20)))
            Assert.True(recorder.WaitForExit(TimeSpan.FromSeconds(50)), "the recorder kept running on a full disk:\n" + recorder.Output);

        AssertOneLineFailure(new ProcessRunner.Result(recorder.ExitCode, "", recorder.Output), "full");
        held.AssertAllReleased("a full disk");
        Assert.Equal("ok", RecordingChecks.IntegrityCheck(db));
        Assert.Equal(RecordingChecks.RequestsCommitted(db, port), RecordingChecks.RequestsAnalyzed(db, port));
    }

    [Fact]
    public void A_disk_too_small_for_the_recordings_first_writes_is_refused_with_one_line_and_exit_1()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        using var disk = new SmallDisk(dir.Path, "1m");
        var result = ProcessRunner.Run(Repo.RecordBinary, ["-o", Path.Combine(disk.Path, "run.db"), "--duration", "1s"]);
        AssertOneLineFailure(result, "full");
    }

    [Fact]
    public void An_output_in_a_missing_folder_is_refused_with_one_line_and_exit_1()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        var result = ProcessRunner.Run(Repo.RecordBinary, ["-o", dir.File("no/such/folder/run.db"), "--duration", "1s"]);
        AssertOneLineFailure(result, "run.db");
    }

    [Fact]
    public void An_output_on_a_read_only_filesystem_is_refused_with_one_line_and_exit_1()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        using var disk = new SmallDisk(dir.Path, "1m", readOnly: true);
        var result = ProcessRunner.Run(Repo.RecordBinary, ["-o", Path.Combine(disk.Path, "run.db"), "--duration", "1s"]);
        AssertOneLineFailure(result, "run.db");
    }
}
