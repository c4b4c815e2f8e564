using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// A recording whose ring buffer dropped events answers every question short: analyze says so on stderr, each time,
/// with how many and when, and leaves stdout to the answer (JSON and CSV stay parseable). A recording without drops
/// gets no note.
/// </summary>
public sealed class DroppedEventsNoteTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Recording(params (double From, double To, long Count)[] drops)
    {
        var rec = new SyntheticRecording(_dir.File($"{Guid.NewGuid():N}.db"));
        rec.Connection("curl", 10, "client", "127.0.0.1:50000", "127.0.0.1:8080")
            .ClientSends(1, "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n").ServerSends(2, "HTTP/1.1 204 No Content\r\n\r\n");
        foreach (var (from, to, count) in drops) rec.Drops(from, to, count);
        return rec.Save();
    }

    [Fact]
    public void A_recording_with_drops_gets_one_note_on_stderr_with_how_many_and_when()
    {
        string db = Recording((1000, 2000, 2000), (61_000, 62_000, 98), (70_000, 71_000, 0));

        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [db, "--list", "--json"]);

        Assert.Equal(0, result.ExitCode);
        // Epoch is 03:04:05: the windows run from 03:04:06 to 03:05:07.
        Assert.Equal($"analyze: note: {db} lost 2,098 events to kernel ring-buffer drops between 03:04:06 and 03:05:07 UTC: exchanges with bytes " +
                     "in those holes are flagged gap, and some may be missing (record with a larger --ring-buffer-mb, or narrow it)\n", result.Stderr);
        Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith('{'));
    }

    [Fact]
    public void A_recording_without_drops_gets_no_note()
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [Recording(), "--slowest"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
    }
}
