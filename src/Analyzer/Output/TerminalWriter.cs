namespace Capture.Analyzer.Output;

/// <summary>
/// Standard output when it is a terminal. CSV keeps text from the traffic as it was sent, for the program that reads
/// it; on a terminal a person reads it, and an escape sequence in a recorded path or process name would recolour,
/// retitle or clear the screen. So control and invisible format characters are written as escapes, as the table
/// writes them (<see cref="TerminalText"/>), whatever the format; line feeds end lines and tabs stay tabs. Piped or
/// redirected, output is not wrapped (as `ls` shows control characters in names only to a terminal).
/// </summary>
internal sealed class TerminalWriter(TextWriter terminal) : TextWriter
{
    public override System.Text.Encoding Encoding => terminal.Encoding;

    public override void Write(char value) => Write(value.ToString());

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(ReadOnlySpan<char> buffer) => Write(new string(buffer));

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        int start = 0;
        for (int end; (end = value.IndexOf('\n', start)) >= 0; start = end + 1)
            terminal.Write(TerminalText.Escape(value[start..end], keepTabs: true) + "\n");
        terminal.Write(TerminalText.Escape(value[start..], keepTabs: true));
    }

    public override void Flush() => terminal.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing) terminal.Flush();
        base.Dispose(disposing);
    }
}
