using Capture.Tests.EndToEnd;
using Capture.Tests.Support;

namespace Capture.Tests.Faults;

/// <summary>
/// `kill -9` of the recorder at random moments while HTTP traffic flows: every time, the db passes SQLite's
/// integrity check, every request it committed analyzes as an exchange, the pcapng written beside it is read
/// by tshark and tcpdump without a complaint up to its last whole block, and none of the recorder's BPF
/// programs, maps or links is left in the kernel.
/// </summary>
[Collection(RecordingCollection.Name)]
public sealed class KillNineTests
{
    public const int Rounds = 10;

    [Fact]
    public void A_recorder_killed_at_random_moments_leaves_a_sound_db_and_pcapng_that_read_back_and_nothing_in_the_kernel()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        int port = Ports.Free();
        using var nginx = Peers.Nginx(dir.Path, port);
        using var traffic = new TrafficLoop($"http://127.0.0.1:{port}/hello", TimeSpan.FromMilliseconds(2));
        var random = new Random(606);
        long committedInAllRounds = 0, requestPacketsInAllRounds = 0;

        for (int round = 0; round < Rounds; round++)
        {
            var roundDir = Directory.CreateDirectory(dir.File($"round{round}")).FullName;
            string pcapng = Path.Combine(roundDir, "run.pcapng");
            using var recorder = RecorderRun.Start(roundDir, "--port", port.ToString(), "--pcapng", pcapng);
            var held = KernelObjects.HeldBy(recorder.Pid);
            // Up to 4 s: the pcapng holds packets back 2 s (to keep only recorded connections' real packets),
            // so only the later kills find requests in it.
            Thread.Sleep(random.Next(50, 4000));
            recorder.Kill();

            held.AssertAllReleased($"kill -9 in round {round}");
            Assert.Empty(RecordingChecks.TracefsProbesOf(recorder.Pid));
            Assert.Equal("ok", RecordingChecks.IntegrityCheck(recorder.DbPath));
            long committed = RecordingChecks.RequestsCommitted(recorder.DbPath, port);
            Assert.Equal(committed, RecordingChecks.RequestsAnalyzed(recorder.DbPath, port));
            committedInAllRounds += committed;
            // Each block is written whole in one call, so a kill leaves a file that ends on a block boundary.
            PacketTools.TcpdumpCount(pcapng);
            requestPacketsInAllRounds += PacketTools.TsharkCount(pcapng, "http.request");
        }
        Assert.True(traffic.Responses > 0, "no traffic flowed");
        Assert.True(committedInAllRounds > 0, "no round committed a request before it was killed");
        Assert.True(requestPacketsInAllRounds > 0, "no round's pcapng held a request before it was killed");
    }
}
