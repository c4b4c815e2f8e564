using Capture.Analyzer.Output;
using Capture.Tests.Support;

namespace Capture.Tests.Analyzer;

/// <summary>
/// Tables are laid out in terminal columns, not UTF-16 units: an East Asian wide character or an emoji (a process may
/// name itself anything) takes two columns, an accent none, and a cell is cut between what the eye sees as characters
/// (grapheme clusters), so that a cut never parts a surrogate pair, which a terminal shows as '?', nor a letter from its
/// accent, and every column after the cell stays where the header put it.
/// </summary>
public sealed class TableColumnWidthTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("curl", 4)]
    [InlineData("日本語", 6)]
    [InlineData("ｗｇｅｔ", 8)]
    [InlineData("한국", 4)]
    [InlineData("🚀", 2)]
    [InlineData("👍🏽", 2)]
    [InlineData("👨‍👩‍👧", 2)]
    [InlineData("🇯🇵", 2)]
    [InlineData("❤", 1)]
    [InlineData("❤\uFE0F", 2)]
    [InlineData("cafe\u0301", 4)]
    [InlineData("Ã©", 2)]
    public void Wide_characters_and_emoji_take_two_columns_accents_none(string text, int columns) =>
        Assert.Equal(columns, DisplayWidth.Of(text));

    [Theory]
    [InlineData("日本語テキスト", 6, "日本…")]
    [InlineData("ab🚀cd", 4, "ab…")]
    [InlineData("ab🚀cd", 5, "ab🚀…")]
    [InlineData("👨‍👩‍👧👨‍👩‍👧", 3, "👨‍👩‍👧…")]
    [InlineData("e\u0301e\u0301e\u0301e\u0301", 3, "e\u0301e\u0301…")]
    [InlineData("🇯🇵🇫🇷", 3, "🇯🇵…")]
    [InlineData("short", 10, "short")]
    public void A_cell_is_cut_to_its_columns_between_characters_as_seen(string text, int width, string cut)
    {
        string fitted = TerminalText.Fit(text, width);

        Assert.Equal(cut, fitted);
        Assert.True(DisplayWidth.Of(fitted) <= width);
        Assert.Equal(width, DisplayWidth.Of(TerminalText.Cell(text, width)));
    }

    [Fact]
    public void A_lone_surrogate_is_written_as_an_escape_not_as_a_question_mark() =>
        Assert.Equal(@"a\ud83db", TerminalText.Escape("a\uD83Db"));

    [Fact]
    public void The_columns_after_a_process_name_in_wide_characters_stay_under_their_headers()
    {
        var rec = new SyntheticRecording(Path.Combine(_dir.Path, "wide.db"));
        string[] comms = ["curl", "日本語サバ", "🚀🚀🚀", "ｗｇｅｔ", new string('字', 12)];
        for (int i = 0; i < comms.Length; i++)
            rec.Connection(comms[i], 10, "client", $"127.0.0.1:{50000 + i}", "127.0.0.1:8080")
                .ClientSends(1 + 2 * i, "GET /a HTTP/1.1\r\nHost: shop.test\r\n\r\n")
                .ServerSends(2 + 2 * i, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

        var lines = Analyze.Output(rec.Save(), "--list").ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        int side = DisplayWidth.Of(lines[0][..lines[0].IndexOf("SIDE", StringComparison.Ordinal)]);
        Assert.Equal(comms.Length + 1, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.Equal(side, DisplayWidth.Of(line[..line.IndexOf("client", StringComparison.Ordinal)])));
        Assert.Contains("字字字字字字字字字字…", lines[^1]);
    }
}
