using Capture.Tests.Http2;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>Text from the traffic (an HTTP/2 :path or field value may carry any octet, a process may name itself anything)
/// reaches a person's terminal through the table and `show`: a line feed there must not start a row of its own, nor an
/// escape sequence recolour or clear the screen. Such characters are shown as escapes (\n, \x1b); JSON and CSV keep them,
/// but CSV only when piped or redirected: on a terminal a person reads it, and it is escaped as a table is.</summary>
public sealed class ControlCharacterOutputTests : IDisposable
{
    private const string HostilePath = "/a\n     9  03:04:05.000000        1.000  GET      shop/forged  200\r\u001b[2J";
    private readonly TempDir _dir = new();
    private readonly string _db;

    public ControlCharacterOutputTests()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "hostile.db"));
        var conn = rec.Connection("curl", 100, "client", "10.0.0.1:40000", "10.0.0.2:80");
        conn.ClientSends(1, Frames.Concat(Frames.Preface, Frames.Settings()));
        conn.ServerSends(2, Frames.Settings());
        conn.ClientSends(3, Frames.Headers(1, new HpackBlock().WithoutIndexing(":method", "GET").WithoutIndexing(":scheme", "http")
            .WithoutIndexing(":path", HostilePath).WithoutIndexing(":authority", "shop").ToArray(), endStream: true));
        conn.ServerSends(5, Frames.Headers(1, new HpackBlock().WithoutIndexing(":status", "200").WithoutIndexing("x-note", "red\u001b[31m\u0007").ToArray(),
            endStream: true));
        _db = rec.Save();
    }

    public void Dispose() => _dir.Dispose();

    private string Analyze(params string[] args)
    {
        var result = ProcessRunner.Run(Repo.AnalyzeBinary, [_db, .. args]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout;
    }

    private static void AssertNoControlCharactersBut(string output, char allowed)
    {
        var found = output.Where(c => char.IsControl(c) && c != allowed).Select(c => $"U+{(int)c:X4}").Distinct();
        Assert.Empty(found);
    }

    [Theory]
    [InlineData("--list")]
    [InlineData("--slowest")]
    public void A_table_row_stays_one_line_and_shows_control_characters_as_escapes(string question)
    {
        var table = Analyze(question, "--where", "protocol=h2");
        AssertNoControlCharactersBut(table, '\n');
        Assert.Equal(2, table.TrimEnd('\n').Split('\n').Length);
        Assert.Contains(@"shop/a\n ", table);
    }

    [Fact]
    public void Show_writes_the_path_and_field_values_with_control_characters_as_escapes()
    {
        var shown = Analyze("show", "1");
        AssertNoControlCharactersBut(shown, '\n');
        Assert.Contains(@"http://shop/a\n     9  03:04:05.000000", shown);
        Assert.Contains(@"\r\x1b[2J", shown);
        Assert.Contains(@"<   x-note: red\x1b[31m\x07", shown);
    }

    [Fact]
    public void Stats_keep_one_line_per_endpoint()
    {
        var stats = Analyze("--stats");
        AssertNoControlCharactersBut(stats, '\n');
        Assert.Equal(2, stats.TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public void Json_keeps_the_characters_as_they_were_sent()
    {
        var line = Analyze("--list", "--json").Trim();
        Assert.Equal(HostilePath, System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public void Csv_piped_keeps_the_characters_as_they_were_sent()
    {
        var csv = Analyze("--list", "--csv", "--where", "protocol=h2");
        Assert.Contains("\r\u001b[2J", csv);
    }

    [Fact]
    public void Csv_on_a_terminal_shows_control_characters_as_escapes()
    {
        // script(1) runs analyze with a pseudo-terminal as its stdout, as a person's shell would.
        var result = ProcessRunner.Run("script", ["-qec", $"'{Repo.AnalyzeBinary}' '{_db}' --list --csv --where protocol=h2", "/dev/null"]);
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        // The terminal's own line ends, and the keypad mode .NET's console sets on a terminal (terminfo smkx/rmkx).
        var csv = result.Stdout.Replace("\r\n", "\n").Replace("\u001b[?1h\u001b=", "").Replace("\u001b[?1l\u001b>", "");

        AssertNoControlCharactersBut(csv, '\n');
        Assert.Contains(@"\r\x1b[2J", csv);
    }
}
