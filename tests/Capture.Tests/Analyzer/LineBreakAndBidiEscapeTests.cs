using Capture.Analyzer.Output;

namespace Capture.Tests.Analyzer;

/// <summary>Beyond the C0 controls, Unicode has characters that break a line or reorder what a terminal shows: a table row
/// or a `show` line holding them could split in two, or show a path or value other than the one recorded (a right-to-left
/// override makes "/admin\u202E/gnp.x" read as "/adminx.png/"). Terminal output writes each as an escape, as it does ESC.</summary>
public sealed class LineBreakAndBidiEscapeTests
{
    [Theory]
    [InlineData('\u0085', @"\x85")]   // NEL, C1's line break
    [InlineData('\u2028', @"\u2028")] // LINE SEPARATOR
    [InlineData('\u2029', @"\u2029")] // PARAGRAPH SEPARATOR
    [InlineData('\u202A', @"\u202a")] // LEFT-TO-RIGHT EMBEDDING
    [InlineData('\u202B', @"\u202b")] // RIGHT-TO-LEFT EMBEDDING
    [InlineData('\u202C', @"\u202c")] // POP DIRECTIONAL FORMATTING
    [InlineData('\u202D', @"\u202d")] // LEFT-TO-RIGHT OVERRIDE
    [InlineData('\u202E', @"\u202e")] // RIGHT-TO-LEFT OVERRIDE
    [InlineData('\u2066', @"\u2066")] // LEFT-TO-RIGHT ISOLATE
    [InlineData('\u2067', @"\u2067")] // RIGHT-TO-LEFT ISOLATE
    [InlineData('\u2068', @"\u2068")] // FIRST STRONG ISOLATE
    [InlineData('\u2069', @"\u2069")] // POP DIRECTIONAL ISOLATE
    public void A_line_breaking_or_reordering_character_is_shown_as_an_escape(char c, string escape)
    {
        Assert.Equal($"/a{escape}b", TerminalText.Escape($"/a{c}b"));

        // CSV on a terminal goes through the same escaping, tabs kept.
        var shown = new StringWriter();
        new TerminalWriter(shown).Write($"x\t/a{c}b\n");
        Assert.Equal($"x\t/a{escape}b\n", shown.ToString());
    }

    [Fact]
    public void Right_to_left_script_is_shown_as_sent()
    {
        // Letters written right to left are text, not formatting: only the invisible characters that steer them are escaped.
        Assert.Equal("/שלום/مرحبا", TerminalText.Escape("/שלום/مرحبا"));
    }
}
