using System.Globalization;
using System.Text;

namespace Capture.Analyzer.Output;

/// <summary>
/// Text from the traffic as a person's terminal is to show it. An HTTP/2 :path or field value may carry any octet
/// and a process may name itself anything: written as they are, a line feed starts a table row of its own and an
/// escape sequence recolours or clears the screen. Control and invisible format characters are written as escapes
/// instead (\n, \r, \t, \x1b, \u202e, \u2028). What a program reads (--json, CSV, HAR) keeps the text as it was, but CSV
/// on a terminal goes through <see cref="TerminalWriter"/>.
/// </summary>
internal static class TerminalText
{
    public static string Escape(string? text) => Escape(text, keepTabs: false);

    /// <param name="keepTabs">A body's lines keep their tabs (indentation); one field in a row or a header line does not.</param>
    public static string Escape(string? text, bool keepTabs)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        int first = 0;
        while (first < text.Length && !NeedsEscape(text[first], keepTabs)) first++;
        if (first == text.Length) return text;
        var escaped = new StringBuilder(text.Length + 8).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) escaped.Append(c).Append(text[++i]);
            else if (!NeedsEscape(c, keepTabs)) escaped.Append(c);
            else escaped.Append(c switch
            {
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                < '\u0100' => string.Create(CultureInfo.InvariantCulture, $@"\x{(int)c:x2}"),
                _ => string.Create(CultureInfo.InvariantCulture, $@"\u{(int)c:x4}"),
            });
        }
        return escaped.ToString();
    }

    /// <summary>A table cell: escaped, then cut to <paramref name="width"/> columns with an ellipsis and padded to them.</summary>
    public static string Cell(string? text, int width) => Pad(Fit(Escape(text), width), width);

    /// <summary>Text already escaped (as a table that measured its cells first holds it), cut to <paramref name="width"/>
    /// terminal columns with an ellipsis (<see cref="DisplayWidth"/>). The cut falls between grapheme clusters, so it never
    /// parts a surrogate pair (which would print '?') nor a letter from its accent or an emoji from its modifier; a wide
    /// character that would straddle the last column goes whole, and the cell is a column short.</summary>
    public static string Fit(string escaped, int width)
    {
        if (DisplayWidth.Of(escaped) <= width) return escaped;
        int used = 0, end = 0;
        while (end < escaped.Length)
        {
            int length = StringInfo.GetNextTextElementLength(escaped.AsSpan(end));
            int columns = DisplayWidth.OfCluster(escaped.AsSpan(end, length));
            if (used + columns > width - 1) break;
            used += columns;
            end += length;
        }
        return escaped[..end] + "…";
    }

    /// <summary>Left-aligned in <paramref name="width"/> terminal columns: string.PadRight counts UTF-16 units, so a row
    /// with a wide character or an emoji would push every column after it to the right.</summary>
    public static string Pad(string text, int width) => text + new string(' ', Math.Max(0, width - DisplayWidth.Of(text)));

    /// <summary>A surrogate reaches here only alone (a pair is written whole): an encoder would print it as '?'. Controls
    /// include C1's NEL (U+0085); format characters include the bidi embeddings, overrides and isolates (U+202A–U+202E,
    /// U+2066–U+2069), which reorder what follows them, so a row could show a path other than the one recorded. U+2028 and
    /// U+2029 are neither, yet a terminal or a viewer may break the line at them.</summary>
    private static bool NeedsEscape(char c, bool keepTabs) =>
        (char.IsControl(c) && !(keepTabs && c == '\t')) || char.IsSurrogate(c) ||
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
