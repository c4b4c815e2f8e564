using Capture.Tests.Support;

namespace Capture.Tests.Cli;

/// <summary>`analyze --export-har` writes other processes' traffic to a file: only its owner may read it, and a
/// destination that cannot be written is one line naming it, not a .NET message without the path.</summary>
public sealed class HarCommandLineTests
{
    [Fact]
    public void The_har_file_is_created_readable_by_its_owner_only()
    {
        using var dir = new TempDir();
        var db = EmptyRecording.In(dir);
        var har = dir.File("out.har");
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [db, "--export-har", har]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(har));
    }

    [Fact]
    public void A_har_destination_in_a_missing_folder_is_one_line_naming_it_and_a_non_zero_exit()
    {
        using var dir = new TempDir();
        var db = EmptyRecording.In(dir);
        var missing = dir.File("no/such/folder/out.har");
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [db, "--export-har", missing]);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"analyze: cannot write {missing}: ", result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single());
    }
}
