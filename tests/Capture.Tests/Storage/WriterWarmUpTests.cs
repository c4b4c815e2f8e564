using Capture.Recorder.Redaction;
using Capture.Recorder.Storage;
using Capture.Tests.Support;

namespace Capture.Tests.Storage;

/// <summary>Before the probes attach, the writer's code runs once on synthetic traffic, stored and thrown away.</summary>
public class WriterWarmUpTests
{
    [Fact]
    public void The_synthetic_http1_and_http2_exchanges_go_through_the_writer_whole_and_leave_nothing_behind()
    {
        using var dir = new TempDir();
        var policy = new RedactionPolicy([], [], key: new byte[32]);

        var totals = WriterWarmUp.Run(policy, dir.Path);

        Assert.Equal(0, totals.Malformed);
        Assert.Equal(2, totals.Connections);
        Assert.Equal(4 * 200 + 2, totals.Chunks); // per exchange a request and an answer on each protocol, and each preface
        Assert.Equal(2 * 200, totals.MessageStarts); // each request, HTTP/1.1 and HTTP/2, is seen to begin a message
        Assert.Equal(0, policy.Overflows); // every secret was read whole: the frames and lines are well formed
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }
}
