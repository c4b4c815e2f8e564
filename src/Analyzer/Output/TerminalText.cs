using System.Globalization;
using System.Text;

namespace Capture.Analyzer.Output;

/// <summary>
/// Text from the traffic as a person's terminal is to show it. An HTTP/2 :path or field value may carry any octet
/// and a process may name itself anything: written as they are, a line feed starts a table row of its own and an
/// escape sequence recolours or clears the screen. Control and invisible format characters are written as escapes
/// instead (\n, \r, \t, \x1b, \u202e). What a program reads (--json, CSV, HAR) keeps the text as it was, but CSV
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
            if (!NeedsEscape(c, keepTabs)) escaped.Append(c);
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

    /// <summary>A table cell: escaped, then cut to <paramref name="width"/> with an ellipsis.</summary>
    public static string Cell(string? text, int width) => Fit(Escape(text), width);

    /// <summary>Text already escaped (as a table that measured its cells first holds it), cut to <paramref name="width"/>
    /// with an ellipsis.</summary>
    public static string Fit(string escaped, int width) => escaped.Length <= width ? escaped : escaped[..(width - 1)] + "…";

    private static bool NeedsEscape(char c, bool keepTabs) =>
        (char.IsControl(c) && !(keepTabs && c == '\t')) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;
}
