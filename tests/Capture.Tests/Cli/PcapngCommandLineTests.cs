using Capture.Pcapng;
using Capture.Tests.Pcapng;
using Capture.Tests.Support;

namespace Capture.Tests.Cli;

/// <summary>`analyze --export-pcapng` and `record --pcapng` at the edges: nothing to export, a
/// destination that cannot be written, a file that is already there.</summary>
public sealed class PcapngCommandLineTests
{
    private static void AssertOneLine(ProcessRunner.Result result, int exitCode, string expected)
    {
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal(expected, result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single());
    }

    [Fact]
    public void An_empty_recording_exports_a_valid_pcapng_with_its_two_synthetic_interfaces_and_no_packets()
    {
        using var dir = new TempDir();
        var output = dir.File("empty.pcapng");
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [EmptyRecording.In(dir), "--export-pcapng", output]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"wrote {output}: 0 packets\n", result.Stdout);
        var blocks = PcapngReader.Blocks(File.ReadAllBytes(output));
        Assert.Equal(["capture-tls-plaintext", "capture-socket-plaintext"], blocks.Where(b => b.Type == PcapngFormat.InterfaceDescriptionBlock).Select(b => b.Text(PcapngFormat.IfName)));
        Assert.Empty(PcapngReader.Packets(blocks));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(output));
        Assert.Equal(0, PacketTools.TsharkCount(output, null));
    }

    [Fact]
    public void Exporting_into_a_directory_or_a_missing_folder_is_one_line_and_a_non_zero_exit()
    {
        using var dir = new TempDir();
        var db = EmptyRecording.In(dir);
        AssertOneLine(ProcessRunner.Run(Repo.AnalyzeBinary, [db, "--export-pcapng", dir.Path]), 2, $"analyze: --export-pcapng {dir.Path} is a directory: give a file name in it");
        var missing = dir.File("no/such/folder/out.pcapng");
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [db, "--export-pcapng", missing]);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"analyze: cannot write {missing}: ", result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single());
    }

    [Theory]
    [InlineData("--export-har")]
    [InlineData("--errors")]
    [InlineData("--stats")]
    public void Export_with_another_question_is_refused_before_anything_is_written_not_the_question_left_unanswered(string question)
    {
        using var dir = new TempDir();
        var pcapng = dir.File("out.pcapng");
        string[] asked = question == "--export-har" ? [question, dir.File("out.har")] : [question];
        AssertOneLine(ProcessRunner.Run(Repo.AnalyzeBinary, [EmptyRecording.In(dir), "--export-pcapng", pcapng, .. asked]), 2,
            "analyze: ask one question at a time: --slowest, --errors, --list, --stats, --by, show, --compare, --export-har or --export-pcapng");
        Assert.False(File.Exists(pcapng));
        Assert.False(File.Exists(dir.File("out.har")));
    }

    [Fact]
    public void Export_to_an_empty_file_name_is_one_line_not_an_unexpected_failure()
    {
        using var dir = new TempDir();
        AssertOneLine(ProcessRunner.Run(Repo.AnalyzeBinary, [EmptyRecording.In(dir), "--export-pcapng", ""]), 2, "analyze: --export-pcapng needs a file name");
    }

    [Fact]
    public void Record_refuses_to_replace_an_existing_pcapng_without_overwrite_before_creating_anything()
    {
        Requires.RootAndBpf();
        using var dir = new TempDir();
        var pcapng = dir.File("keep.pcapng");
        File.WriteAllText(pcapng, "precious");
        var result = ProcessRunner.Run(Repo.RecordBinary, ["-o", dir.File("run.db"), "--pcapng", pcapng, "--duration", "1s"]);
        AssertOneLine(result, 2, $"record: {pcapng} already exists: choose another --pcapng, or pass --overwrite");
        Assert.Equal("precious", File.ReadAllText(pcapng));
        Assert.False(File.Exists(dir.File("run.db")));
    }
}
